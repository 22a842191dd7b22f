from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from app.core.columns import JSONDocument, UTCDateTime
from app.core.time import utc_now
from app.models.base import BigIntKey


class ChangeEvent(SQLModel, table=True):
    """The durable event log: one row in the same transaction as every state change.

    Everything that pushes (SSE, subscriptions, webhooks, robots) resumes from an event id,
    and the newest id is the data version that read caches are keyed by.
    """

    __tablename__ = "change_event"

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    occurred_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    kind: str = Field(sa_type=String(40))
    # Path of the jurisdiction the change belongs to, so consumers filter by area prefix.
    area_path: str = Field(sa_type=String(255))
    subject: str = Field(sa_type=String(64))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONDocument))
