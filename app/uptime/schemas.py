"""Uptime shapes (JSON, and CSV with one row per pile and per connector)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from app.alerts.schemas import OutageReason
from app.core.tabular import TabularModel
from app.energy.schemas import AreaRef, CountedUntil, FirstDay, Judged, LastDay


class StatusHours(BaseModel):
    """UK-style classification of the range up to now by status (they add up to it)."""

    available: float
    in_use: float
    out_of_service: float
    short_offline: float = Field(description="Link drops within the offline grace.")
    unknown: float


class UptimeFigures(Judged):
    hours: StatusHours
    outage_hours: float
    excluded_hours: float = Field(description="Outage inside alerts resolved with a reason.")
    uptime: float | None = Field(
        description="NEVI µ = (T − (T_outage − T_excluded)) / T, T the observed time; null "
        "with `reason` when too little was observed."
    )
    uk_reliability: float | None = Field(description="In service ÷ observed time.")
    meets_uk_target: bool | None = Field(
        description="Reliability at least 99 %; null (never a pass) when it is null."
    )
    faults: int
    repairs: int
    mttr_hours: float | None = Field(description="Mean time to repair of repaired faults.")
    mttr_reason: str | None = Field(
        description="Why mttr_hours is null: no-repairs (or no-observations)."
    )


class ConnectorUptime(UptimeFigures):
    connector_id: str = Field(description="The operator's ConnectorID.")
    pile_id: int
    equipment_id: str
    community: str


class PileUptime(UptimeFigures):
    pile_id: int
    equipment_id: str
    community: str
    connectors: int


class UptimeReport(TabularModel):
    area: AreaRef
    from_date: FirstDay
    to_date: LastDay
    until: CountedUntil
    definition: str
    excluded_reasons: list[OutageReason]
    area_uptime: UptimeFigures
    piles: list[PileUptime]
    connectors: list[ConnectorUptime]

    def csv_header(self) -> Sequence[str]:
        return [
            "level", "pile_id", "equipment_id", "connector_id", "community", "available_hours",
            "in_use_hours", "out_of_service_hours", "short_offline_hours", "unknown_hours",
            "range_hours", "observed_hours", "coverage", "reason", "outage_hours",
            "excluded_hours", "uptime", "uk_reliability", "meets_uk_target", "faults",
            "repairs", "mttr_hours", "mttr_reason",
        ]  # fmt: skip

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        for pile in self.piles:
            yield ["pile", pile.pile_id, pile.equipment_id, "", pile.community, *_cells(pile)]
        for c in self.connectors:
            yield ["connector", c.pile_id, c.equipment_id, c.connector_id, c.community,
                   *_cells(c)]  # fmt: skip


def _cells(figures: UptimeFigures) -> list[Any]:
    hours = figures.hours
    return [
        hours.available, hours.in_use, hours.out_of_service, hours.short_offline, hours.unknown,
        figures.range_hours, figures.observed_hours, _blank(figures.coverage),
        _blank(figures.reason), figures.outage_hours, figures.excluded_hours,
        _blank(figures.uptime), _blank(figures.uk_reliability),
        _blank(figures.meets_uk_target), figures.faults, figures.repairs,
        _blank(figures.mttr_hours), _blank(figures.mttr_reason),
    ]  # fmt: skip


def _blank(value: object) -> Any:
    return "" if value is None else value
