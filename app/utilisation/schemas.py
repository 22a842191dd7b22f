"""Utilisation shapes (JSON, and CSV of the rows)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import Field

from app.core.tabular import TabularModel
from app.energy.ranges import Granularity
from app.energy.schemas import AreaRef, CountedUntil, FirstDay, GroupBy, GroupRef, Judged, LastDay

DEFINITION = (
    "the range is counted up to now (until); observed = time a connector's status was known "
    "(from its first status report on), unknown = the rest; busy = occupied, charging or "
    "reserved by status history, or inside a charging session, within observed time; "
    "charging = inside a charging session, within observed time; available = observed time "
    "minus faulted or offline time that is not busy; occupancy = busy / available; hours are "
    "connector-hours. occupancy and charging_share are null, with a reason, when nothing was "
    "observed, when less than the minimum coverage was, or when nothing was available."
)


class UseFigures(Judged):
    connectors: int
    available_hours: float
    busy_hours: float
    charging_hours: float
    occupancy: float | None = Field(
        description="busy / available; null with `reason` (no data is not 0)."
    )
    charging_share: float | None = Field(description="charging / available; null as occupancy.")


class UseRow(UseFigures):
    group: GroupRef
    bucket: str


class UseTotal(UseFigures):
    group: GroupRef


class ProfileCell(Judged):
    """One hour of the week over the range: ISO weekday (1 = Monday) and local hour."""

    weekday: int
    hour: int
    available_hours: float
    busy_hours: float
    occupancy: float | None


class UtilisationReport(TabularModel):
    area: AreaRef
    granularity: Granularity
    from_date: FirstDay
    to_date: LastDay
    until: CountedUntil
    group_by: GroupBy
    definition: str = DEFINITION
    rows: list[UseRow] = Field(description="Every group and bucket up to now, in order.")
    totals: list[UseTotal]
    profile: list[ProfileCell] = Field(description="Hour of day × day of week, the whole area.")

    def csv_header(self) -> Sequence[str]:
        return [
            "group_kind", "group_code", "group_name", "community", "bucket", "connectors",
            "range_hours", "observed_hours", "unknown_hours", "coverage", "reason",
            "available_hours", "busy_hours", "charging_hours", "occupancy", "charging_share",
        ]  # fmt: skip

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        for row in self.rows:
            group = row.group
            yield [
                group.kind.value, group.code, group.name or "", group.community or "",
                row.bucket, row.connectors, row.range_hours, row.observed_hours,
                row.unknown_hours, _blank(row.coverage), _blank(row.reason),
                row.available_hours, row.busy_hours, row.charging_hours,
                _blank(row.occupancy), _blank(row.charging_share),
            ]  # fmt: skip


def _blank(value: object) -> Any:
    return "" if value is None else value
