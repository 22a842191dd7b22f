from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.core.columns import UTCDateTime
from app.core.time import utc_now


class Operator(SQLModel, table=True):
    """A charging operator platform, identified by its T/CEC 102 OperatorID."""

    __tablename__ = "operator"

    id: int | None = Field(default=None, primary_key=True)
    operator_id: str = Field(sa_type=String(9), unique=True)
    name: str = Field(sa_type=String(64))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
