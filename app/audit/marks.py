"""How a route asks for its read to be audited (writes always are; see middleware.py)."""

from __future__ import annotations

from starlette.requests import Request

AUDIT_ROWS = "pilehub.audit_rows"


def audit_read(request: Request, *, rows: int) -> None:
    """Record this read of session-level data, with how many rows it returned."""
    request.scope[AUDIT_ROWS] = rows
