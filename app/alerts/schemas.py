"""Alert shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from app.core.time import instant
from app.models.states import Cause


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
    """A pile's colour or its cause changed in this transaction (what alerts follow)."""

    pile_pk: int
    equipment_id: str
    community: str
    area_path: str
    colour: str
    since: datetime  # the colour's since: the instant alerts open, escalate and resolve at
    cause: Cause | None  # None when green or unknown
    recoloured: bool  # False: the same colour with a new cause


class AlertPublic(BaseModel):
    id: int
    pile_id: int
    equipment_id: str
    community: str
    severity: str
    cause: Cause = Field(
        description="Why the pile is yellow or red: `offline` (offline longer than the grace "
        "period: a communications problem), `fault` (a connector reports a fault), "
        "`long-fault` (a fault open longer than red_after_fault), `repeated-fault` (too many "
        "faults within the window), `maintenance` (flagged by staff). Kept current while the "
        "alert is unresolved; an escalation says what the cause was before."
    )
    state: AlertState
    opened_at: datetime = Field(
        description=instant(
            "The since of the colour that opened it: the operator time of the report, "
            "or the rule's instant (offline since + grace); earlier if a late report dates the "
            "pile's trouble from before."
        )
    )
    escalated_at: datetime | None = Field(
        description=instant("The since of the red colour (e.g. the fault's operator time + 24 h).")
    )
    acknowledged_at: datetime | None = Field(description=instant("When staff acknowledged it."))
    acknowledged_by: str | None
    acknowledge_note: str | None
    resolved_at: datetime | None = Field(
        description=instant(
            "Auto-resolved: the since of the green colour (the recovery report's "
            "operator time); by staff: when they resolved it. Never before the opening."
        )
    )
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
