"""Connector status: the current state per connector and the full history of changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String
from sqlmodel import Field, SQLModel

from app.core.columns import UTCDateTime
from app.models.base import BigIntKey


class ConnectorStatus(SQLModel, table=True):
    __tablename__ = "connector_status"

    connector_pk: int = Field(foreign_key="connector.id", primary_key=True)
    # Indexed for the colour sweep, which visits only offline and faulted connectors.
    status: str = Field(sa_type=String(12), index=True)
    raw_code: int
    # Operator time of the newest report applied; older reports never move the state back.
    observed_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)
    # Operator time at which the current status began.
    since: datetime = Field(sa_type=UTCDateTime)
    source: str = Field(sa_type=String(32))


class StatusChange(SQLModel, table=True):
    """One row per report that changed a status, plus late reports kept with applied=False."""

    __tablename__ = "status_change"
    __table_args__ = (Index("ix_status_change_connector_observed", "connector_pk", "observed_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    connector_pk: int = Field(sa_column=Column(ForeignKey("connector.id"), nullable=False))
    status: str = Field(sa_type=String(12))
    raw_code: int
    observed_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(sa_type=UTCDateTime)
    source: str = Field(sa_type=String(32))
    applied: bool = True
