"""The audit log: who read or wrote what, where and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from app.core.columns import JSONDocument, UTCDateTime
from app.core.time import instant, utc_now
from app.models.base import BigIntKey


class AuditRecord(SQLModel, table=True):
    """Who did what: every write, and every read of session-level data."""

    __tablename__ = "audit_record"

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    occurred_at: datetime = Field(
        default_factory=utc_now, sa_type=UTCDateTime, index=True, description=instant()
    )
    client_id: str = Field(sa_type=String(40), index=True)
    tier: str = Field(sa_type=String(12))
    area_code: str = Field(sa_type=String(32))
    # The caller's area path, so an auditor sees only records of callers inside its area.
    area_path: str = Field(sa_type=String(255), index=True)
    method: str = Field(sa_type=String(8))
    route: str = Field(sa_type=String(200))
    parameters: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))
    status_code: int
    row_count: int | None = None
