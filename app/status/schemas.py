"""Status shapes: reports coming in, outcomes, and history going out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from app.status.codes import ConnectorState


class StatusReport(BaseModel):
    """One connector status as an operator reported it (T/CEC ConnectorStatusInfo)."""

    operator_id: str = Field(min_length=9, max_length=9)
    connector_id: str = Field(min_length=1, max_length=26)
    code: int
    observed_at: AwareDatetime = Field(description="Operator time of the report.")
    received_at: AwareDatetime | None = Field(default=None, description="Defaults to now.")
    source: str = Field(default="operator", max_length=32)

    @field_validator("observed_at", "received_at")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        # One representation per instant, so equal reports compare and hash alike.
        return value.astimezone(UTC) if value is not None else None


class Outcome(StrEnum):
    CHANGED = "changed"  # state moved; history, change_event and colour updated
    UNCHANGED = "unchanged"  # newer report of the same state; only observed_at advances
    DUPLICATE = "duplicate"  # the same report again; nothing stored
    STALE = "stale"  # older than the current state; kept in history, state untouched
    REJECTED = "rejected"  # unknown connector or code; nothing stored


@dataclass(frozen=True, slots=True)
class RecordResult:
    outcome: Outcome
    reason: str | None = None


class StatusChangePublic(BaseModel):
    id: int
    status: ConnectorState
    raw_code: int
    observed_at: datetime
    received_at: datetime
    source: str
    applied: bool = Field(description="False for a late report that did not change the state.")


class StatusHistoryPage(BaseModel):
    connector_id: int
    items: list[StatusChangePublic]
    next_cursor: str | None
