"""Utilisation shapes (JSON, and CSV of the rows)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from app.core.tabular import TabularModel
from app.energy.ranges import Granularity
from app.energy.schemas import AreaRef, GroupBy, GroupRef

DEFINITION = (
    "busy = occupied, charging or reserved by status history, or inside a charging session; "
    "charging = inside a charging session; available = the window minus faulted or offline "
    "time that is not busy (time before a connector's first status report counts as "
    "available); occupancy = busy / available; hours are connector-hours."
)


class UseFigures(BaseModel):
    connectors: int
    available_hours: float
    busy_hours: float
    charging_hours: float
    occupancy: float | None = Field(description="busy / available; null with nothing available")
    charging_share: float | None = Field(description="charging / available")


class UseRow(UseFigures):
    group: GroupRef
    bucket: str


class UseTotal(UseFigures):
    group: GroupRef


class ProfileCell(BaseModel):
    """One hour of the week over the range: ISO weekday (1 = Monday) and local hour."""

    weekday: int
    hour: int
    available_hours: float
    busy_hours: float
    occupancy: float | None


class UtilisationReport(TabularModel):
    area: AreaRef
    granularity: Granularity
    from_date: date = Field(serialization_alias="from")
    to_date: date = Field(serialization_alias="to")
    group_by: GroupBy
    definition: str = DEFINITION
    rows: list[UseRow]
    totals: list[UseTotal]
    profile: list[ProfileCell] = Field(description="Hour of day × day of week, the whole area.")

    def csv_header(self) -> Sequence[str]:
        return [
            "group_kind", "group_code", "group_name", "community", "bucket", "connectors",
            "available_hours", "busy_hours", "charging_hours", "occupancy", "charging_share",
        ]  # fmt: skip

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        for row in self.rows:
            group = row.group
            yield [
                group.kind.value, group.code, group.name or "", group.community or "",
                row.bucket, row.connectors, row.available_hours, row.busy_hours,
                row.charging_hours, _blank(row.occupancy), _blank(row.charging_share),
            ]  # fmt: skip


def _blank(value: float | None) -> Any:
    return "" if value is None else value
