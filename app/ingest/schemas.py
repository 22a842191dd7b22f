from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.core.time import instant


class QuarantinePublic(BaseModel):
    id: int
    operator_id: str | None
    source: str
    reason: str
    payload: dict[str, Any]
    received_at: datetime = Field(description=instant("When the hub received the record."))


class QuarantinePage(BaseModel):
    items: list[QuarantinePublic]
    next_cursor: str | None
