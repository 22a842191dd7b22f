"""The states the hub names: a connector's normalised status, a pile's board colour and the
cause of a colour. Stored as text in the tables and shown by every API, so they sit beside the
tables, below every domain that reads or writes them (the rules live in app/status)."""

from __future__ import annotations

from enum import StrEnum


class ConnectorState(StrEnum):
    OFFLINE = "offline"
    AVAILABLE = "available"
    OCCUPIED = "occupied"
    CHARGING = "charging"
    RESERVED = "reserved"
    FAULTED = "faulted"
    UNKNOWN = "unknown"


class Colour(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    UNKNOWN = "unknown"


class Cause(StrEnum):
    """Why a pile is yellow or red (and so what an alert is about, and whom to send)."""

    OFFLINE = "offline"  # offline longer than the grace period: communications, not the charger
    FAULT = "fault"  # a connector reports a fault (yellow)
    REPEATED_FAULT = "repeated-fault"  # `repeated_fault_count` faults within the window (red)
    LONG_FAULT = "long-fault"  # a fault open longer than `red_after_fault` (red)
    MAINTENANCE = "maintenance"  # flagged by staff (red)


def stored_cause(value: str | None) -> Cause | None:
    """A cause as stored (text, or NULL for green and unknown piles)."""
    return Cause(value) if value else None
