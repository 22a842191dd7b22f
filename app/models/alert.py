from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, String, text
from sqlmodel import Field, SQLModel

from app.core.columns import UTCDateTime
from app.core.time import utc_now
from app.models.base import BigIntKey

_UNRESOLVED = text("state != 'resolved'")


class Alert(SQLModel, table=True):
    """A pile that turned yellow or red, and what staff did about it.

    At most one unresolved alert per pile (a partial unique index): repeated fault reports
    and flapping statuses update it, they never raise another.
    """

    __tablename__ = "alert"
    __table_args__ = (
        Index("uq_alert_unresolved_pile", "pile_pk", unique=True,
              sqlite_where=_UNRESOLVED, postgresql_where=_UNRESOLVED),
    )  # fmt: skip

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    pile_pk: int = Field(foreign_key="pile.id", index=True)
    # The pile's community path, so reads are scoped like everything else.
    area_path: str = Field(sa_type=String(255), index=True)
    equipment_id: str = Field(sa_type=String(64))
    community: str = Field(sa_type=String(32))
    severity: str = Field(sa_type=String(8))  # yellow | red (the worst seen while unresolved)
    # app.status.colour.Cause: offline | fault | repeated-fault | long-fault | maintenance,
    # the pile's cause, kept current while the alert is unresolved; old rows say fault.
    cause: str = Field(sa_type=String(16))
    state: str = Field(sa_type=String(12), index=True)  # open | acknowledged | resolved
    opened_at: datetime = Field(sa_type=UTCDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by: str | None = Field(default=None, sa_type=String(40))
    acknowledge_note: str | None = Field(default=None, sa_type=String(500))
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_by: str | None = Field(default=None, sa_type=String(40))  # None: auto-resolved
    resolve_note: str | None = Field(default=None, sa_type=String(500))
    # Why the outage should not count against uptime (scheduled maintenance, utility
    # outage, vandalism...), set by staff when resolving.
    outage_reason: str | None = Field(default=None, sa_type=String(32))
    reopened: int = 0
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
