"""Guidance shapes: per-community figures and a structured recommendation (JSON or CSV)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from app.core.tabular import TabularModel
from app.energy.schemas import AreaRef, CountedUntil, FirstDay, Judged, LastDay


class CommunityRef(BaseModel):
    code: str
    name: str | None


class HourWindow(BaseModel):
    """Local hours `from_hour`:00 to `to_hour`:00 (wrapping over midnight when to < from)."""

    from_hour: int
    to_hour: int


class OffPeakCommunity(Judged):
    community: CommunityRef
    piles: int
    connectors: int
    energy_kwh: float
    peak_kwh: float
    valley_kwh: float
    peak_load_share: float | None = Field(description="Share of the energy charged in the peak.")
    occupancy: float | None = Field(description="Busy ÷ available connector-hours.")
    idle_share: float | None = Field(description="1 − occupancy: the idle capacity.")
    idle_connector_hours: float
    valley_occupancy: float | None
    valley_headroom_hours: float = Field(description="Valley connector-hours left free.")
    hourly_occupancy: list[float | None] = Field(
        description="Hour of day 0–23; null where that hour was not observed enough."
    )
    congested_hours: list[int]
    room_windows: list[HourWindow]


class Congestion(BaseModel):
    community: CommunityRef
    hours: list[int]
    worst_occupancy: float


class Room(BaseModel):
    community: CommunityRef
    idle_share: float
    valley_headroom_hours: float
    windows: list[HourWindow]


class Shift(BaseModel):
    """Owners charging at `from_community` in its congested hours could charge at
    `to_community` in its windows."""

    from_community: CommunityRef
    hours: list[int]
    to_community: CommunityRef
    windows: list[HourWindow]


class NotJudged(BaseModel):
    """A community the advice says nothing about, and why (too little of it observed)."""

    community: CommunityRef
    reason: str


class Recommendation(BaseModel):
    congested: list[Congestion]
    room: list[Room] = Field(description="Most idle capacity first.")
    most_idle_community: CommunityRef | None = Field(
        description="Null when no community could be judged."
    )
    shifts: list[Shift]
    not_judged: list[NotJudged] = Field(
        description="Communities left out of the advice, with the reason."
    )


class OffPeakGuidance(TabularModel):
    area: AreaRef
    from_date: FirstDay
    to_date: LastDay
    until: CountedUntil
    peak_period: str
    valley_period: str
    congested_occupancy: float
    room_occupancy: float
    communities: list[OffPeakCommunity]
    recommendation: Recommendation

    def csv_header(self) -> Sequence[str]:
        return [
            "community", "name", "piles", "range_hours", "observed_hours", "coverage",
            "reason", "energy_kwh", "peak_kwh", "valley_kwh",
            "peak_load_share", "occupancy", "idle_share", "idle_connector_hours",
            "valley_occupancy", "valley_headroom_hours", "congested_hours", "room_windows",
        ]  # fmt: skip

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        for c in self.communities:
            yield [
                c.community.code, c.community.name or "", c.piles, c.range_hours,
                c.observed_hours, _blank(c.coverage), _blank(c.reason), c.energy_kwh, c.peak_kwh,
                c.valley_kwh, _blank(c.peak_load_share), _blank(c.occupancy),
                _blank(c.idle_share), c.idle_connector_hours, _blank(c.valley_occupancy),
                c.valley_headroom_hours, " ".join(str(h) for h in c.congested_hours),
                " ".join(f"{w.from_hour:02d}-{w.to_hour:02d}" for w in c.room_windows),
            ]  # fmt: skip


class SitingCommunity(Judged):
    rank: int | None = Field(description="Null: not ranked (see `reason`).")
    community: CommunityRef
    piles: int
    occupancy: float | None
    all_busy_share: float | None = Field(
        description="Share of the time no connector of the community was free."
    )
    energy_per_pile_kwh: float | None
    pressure: float | None = Field(
        description="Mean of the three figures, each divided by its maximum among the ranked "
        "communities; null when the community is not ranked."
    )


class SitingInsight(TabularModel):
    area: AreaRef
    from_date: FirstDay
    to_date: LastDay
    until: CountedUntil
    method: str
    communities: list[SitingCommunity] = Field(
        description="Highest demand pressure first, then the communities not ranked."
    )

    def csv_header(self) -> Sequence[str]:
        return [
            "rank", "community", "name", "piles", "range_hours", "observed_hours", "coverage",
            "reason", "occupancy", "all_busy_share", "energy_per_pile_kwh", "pressure",
        ]  # fmt: skip

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        for c in self.communities:
            yield [
                _blank(c.rank), c.community.code, c.community.name or "", c.piles,
                c.range_hours, c.observed_hours, _blank(c.coverage), _blank(c.reason),
                _blank(c.occupancy), _blank(c.all_busy_share), _blank(c.energy_per_pile_kwh),
                _blank(c.pressure),
            ]  # fmt: skip


def _blank(value: object) -> Any:
    return "" if value is None else value
