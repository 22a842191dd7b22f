"""Alert shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class AlertState(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class OutageReason(StrEnum):
    """Outages that do not count against uptime (NEVI-style exclusions)."""

    SCHEDULED_MAINTENANCE = "scheduled_maintenance"
    UTILITY_OUTAGE = "utility_outage"
    VANDALISM = "vandalism"
    NATURAL_DISASTER = "natural_disaster"
    VEHICLE_FAULT = "vehicle_fault"


@dataclass(frozen=True, slots=True)
class ColourChange:
    """A pile's colour changed in this transaction (what alerts follow)."""

    pile_pk: int
    equipment_id: str
    community: str
    area_path: str
    colour: str
    since: datetime
    maintenance: bool


class AlertPublic(BaseModel):
    id: int
    pile_id: int
    equipment_id: str
    community: str
    severity: str
    cause: str
    state: AlertState
    opened_at: datetime
    escalated_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledge_note: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolve_note: str | None
    outage_reason: OutageReason | None
    reopened: int


class AlertPage(BaseModel):
    items: list[AlertPublic]
    next_cursor: str | None


class Acknowledge(BaseModel):
    note: str | None = Field(default=None, max_length=500)


class Resolve(BaseModel):
    note: str | None = Field(default=None, max_length=500)
    outage_reason: OutageReason | None = Field(
        default=None, description="Set when this outage should not count against uptime"
    )
