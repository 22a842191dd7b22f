"""Charging-session shapes: a charge order as mapped from an operator's feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from app.core.time import instant


def _utc(value: datetime | None) -> datetime | None:
    return value.astimezone(UTC) if value is not None else None


class ChargeDetail(BaseModel):
    """One T/CEC ChargeDetails period; energy in Wh and money in fen (exact integers)."""

    start: AwareDatetime
    end: AwareDatetime
    energy_wh: int
    elec_price: float | None = Field(default=None, description="yuan per kWh (4 dp)")
    service_price: float | None = Field(default=None, description="yuan per kWh (4 dp)")
    elec_money_fen: int | None = None
    service_money_fen: int | None = None

    _in_utc = field_validator("start", "end")(_utc)


class ChargeOrderRecord(BaseModel):
    """A T/CEC notification_charge_order_info, normalised: the hub's charging session input."""

    operator_id: str = Field(min_length=9, max_length=9)
    start_charge_seq: str = Field(min_length=1, max_length=32)
    connector_id: str = Field(min_length=1, max_length=26)
    start_at: AwareDatetime
    end_at: AwareDatetime
    energy_wh: int
    elec_money_fen: int | None = None
    service_money_fen: int | None = None
    total_money_fen: int | None = None
    stop_reason: int | None = None
    details: list[ChargeDetail] = Field(default_factory=list)
    received_at: AwareDatetime | None = None

    _in_utc = field_validator("start_at", "end_at", "received_at")(_utc)


class SessionOutcome(StrEnum):
    CREATED = "created"  # a new session; change_event written
    UPDATED = "updated"  # a correction of a stored order; session overwritten, change_event
    DUPLICATE = "duplicate"  # the same order again; nothing written
    REJECTED = "rejected"  # unknown operator or connector, or implausible; nothing stored


@dataclass(frozen=True, slots=True)
class SessionResult:
    outcome: SessionOutcome
    reason: str | None = None
    session_id: int | None = None


class SessionPublic(BaseModel):
    """A charging session as staff tiers see it (energy in kWh, money in yuan)."""

    id: int
    start_charge_seq: str
    connector_id: int
    operator_connector_id: str
    pile_id: int
    community: str
    start_at: datetime = Field(description=instant("When charging started (operator time)."))
    end_at: datetime = Field(description=instant("When charging ended (operator time)."))
    energy_kwh: float
    total_money_yuan: float | None
    elec_money_yuan: float | None
    service_money_yuan: float | None
    stop_reason: int | None


class SessionPseudonymous(BaseModel):
    """A charging session as a vendor sees it: no order id, no money, and stable per-vendor
    pseudonyms instead of connector and pile ids."""

    connector: str
    pile: str
    community: str
    start_at: datetime = Field(
        description=instant("The quarter hour charging started in (its first instant).")
    )
    end_at: datetime = Field(
        description=instant("The quarter hour charging ended in (its first instant).")
    )
    energy_kwh: float
    stop_reason: int | None


class SessionPage(BaseModel):
    items: list[SessionPublic] | list[SessionPseudonymous]
    next_cursor: str | None
