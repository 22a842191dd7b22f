from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class QuarantinePublic(BaseModel):
    id: int
    operator_id: str | None
    source: str
    reason: str
    payload: dict[str, Any]
    received_at: datetime


class QuarantinePage(BaseModel):
    items: list[QuarantinePublic]
    next_cursor: str | None
