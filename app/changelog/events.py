"""The one way to build a change_event row. Pure.

A plain function returning the dict the bulk insert takes: the status path builds thousands
of these a second, and a dataclass turned into a dict costs several times as much.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.changelog.kinds import Kind


def event(
    kind: Kind, *, subject: str, area_path: str, payload: dict[str, Any], occurred_at: datetime
) -> dict[str, Any]:
    """A row for `repository.insert`: `kind` happened to `subject` (`pile:12`) in the area
    at `area_path`, logged at `occurred_at` (the hub's clock). `payload` is the event's JSON."""
    return {
        "occurred_at": occurred_at,
        "kind": kind,
        "subject": subject,
        "area_path": area_path,
        "payload": payload,
    }
