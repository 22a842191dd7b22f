"""Status shapes: reports coming in, outcomes, and history going out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from app.core.time import instant
from app.models.states import ConnectorState


@dataclass(frozen=True, slots=True)
class StatusReport:
    """One connector status as an operator reported it (T/CEC ConnectorStatusInfo).

    A value checked on construction, not a pydantic model: the feed's wire models have
    already validated the payload, and a pull builds thousands of these per batch (pydantic
    cost three times as much per report). Invalid fields raise ValueError.
    """

    operator_id: str
    connector_id: str
    code: int
    observed_at: datetime  # operator time of the report; timezone-aware
    received_at: datetime | None = None  # defaults to now
    source: str = "operator"

    def __post_init__(self) -> None:
        if len(self.operator_id) != OPERATOR_ID_LENGTH:
            raise ValueError(f"operator_id must have {OPERATOR_ID_LENGTH} characters")
        if not 1 <= len(self.connector_id) <= CONNECTOR_ID_MAX:
            raise ValueError(f"connector_id must have 1 to {CONNECTOR_ID_MAX} characters")
        if not isinstance(self.code, int):
            raise ValueError("code must be an integer")
        if len(self.source) > SOURCE_MAX:
            raise ValueError(f"source must have at most {SOURCE_MAX} characters")
        # One representation per instant, so equal reports compare and hash alike.
        if self.observed_at.tzinfo is not UTC:
            object.__setattr__(self, "observed_at", _in_utc(self.observed_at, "observed_at"))
        if self.received_at is not None and self.received_at.tzinfo is not UTC:
            object.__setattr__(self, "received_at", _in_utc(self.received_at, "received_at"))

    def as_json(self) -> dict[str, Any]:
        """The report as JSON data (for the quarantine's copy of a refused one)."""
        received_at = self.received_at.isoformat() if self.received_at is not None else None
        return {
            "operator_id": self.operator_id,
            "connector_id": self.connector_id,
            "code": self.code,
            "observed_at": self.observed_at.isoformat(),
            "received_at": received_at,
            "source": self.source,
        }


OPERATOR_ID_LENGTH = 9  # T/CEC OperatorID: the organisation code's 9 characters
CONNECTOR_ID_MAX = 26
SOURCE_MAX = 32


def _in_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


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
    observed_at: datetime = Field(description=instant("Operator time of the report."))
    received_at: datetime = Field(description=instant("When the hub received the report."))
    source: str
    applied: bool = Field(description="False for a late report that did not change the state.")


class StatusHistoryPage(BaseModel):
    connector_id: int
    items: list[StatusChangePublic]
    next_cursor: str | None


class Maintenance(BaseModel):
    flagged: bool
    note: str | None = Field(default=None, max_length=500)
