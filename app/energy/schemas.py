"""Energy API shapes: JSON and, through `csv_rows`, the same answer as CSV."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field

from app.core.tabular import TabularModel
from app.core.time import instant, local_date
from app.energy.ranges import Granularity

# The range every analytics answer states: its local days, and the instant counting stopped.
FirstDay = Annotated[
    date, Field(serialization_alias="from", description=local_date("First day of the range."))
]
LastDay = Annotated[
    date,
    Field(serialization_alias="to", description=local_date("Last day of the range, included.")),
]
CountedUntil = Annotated[
    datetime,
    Field(
        description=instant("End of what is counted: the end of `to`, or now if that comes first.")
    ),
]


class GroupBy(StrEnum):
    PILE = "pile"
    COMMUNITY = "community"
    STREET = "street"
    DISTRICT = "district"


class GroupRef(BaseModel):
    """What a row is about: a pile (with its community) or a jurisdiction."""

    kind: GroupBy
    code: str = Field(description="Jurisdiction code, or the pile's EquipmentID.")
    name: str | None
    pile_id: int | None = None
    community: str | None = Field(default=None, description="The pile's community code.")


class AreaRef(BaseModel):
    code: str
    name: str
    level: str


class Observed(BaseModel):
    """How much of the range up to now (`until`) was observed (app/energy/coverage.py)."""

    range_hours: float = Field(
        description="Hours of the range up to now; connector-hours for a connector group."
    )
    observed_hours: float = Field(description="Of which the connectors' status was known.")
    unknown_hours: float = Field(
        description="Of which nothing was known (before a connector's first status report)."
    )
    coverage: float | None = Field(description="observed ÷ range hours; null for no hours.")


class Judged(Observed):
    """Observed time, and why this object's shares of time are null when they are."""

    reason: str | None = Field(
        description="Why the shares of time are null: no-observations, insufficient-coverage "
        "(observed share below PILEHUB_ENERGY__MIN_COVERAGE) or nothing-available; null "
        "when they are stated."
    )


class EnergyFigures(BaseModel):
    energy_kwh: float
    sessions: int = Field(description="Sessions that started in the bucket.")
    charging_hours: float
    by_period: dict[str, float] = Field(description="kWh per time-of-use period.")


class EnergyRow(EnergyFigures):
    group: GroupRef
    bucket: str = Field(description="YYYY-MM-DD (day) or YYYY-MM (month), local time.")


class EnergyTotal(EnergyFigures, Observed):
    """A group's sums over the range, and how much of the range its connectors' status feed
    was live (observed): a 0 with coverage is a real 0, a 0 without it is no data."""

    group: GroupRef


class EnergyReport(TabularModel):
    area: AreaRef
    granularity: Granularity
    from_date: FirstDay
    to_date: LastDay
    until: CountedUntil
    group_by: GroupBy
    periods: list[str]
    rows: list[EnergyRow] = Field(description="Non-empty buckets per group, in order.")
    totals: list[EnergyTotal] = Field(description="Every group of the area over the range.")

    def csv_header(self) -> Sequence[str]:
        return [
            "group_kind", "group_code", "group_name", "community", "bucket", "energy_kwh",
            "sessions", "charging_hours", *(f"energy_kwh_{period}" for period in self.periods),
        ]  # fmt: skip

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        for row in self.rows:
            group = row.group
            yield [
                group.kind.value, group.code, group.name or "", group.community or "",
                row.bucket, row.energy_kwh, row.sessions, row.charging_hours,
                *(row.by_period.get(period, 0.0) for period in self.periods),
            ]  # fmt: skip
