"""Push subscriptions (webhooks and group robots) and their deliveries.

The change_event log is the outbox: each endpoint keeps a cursor over its ids, and the
dispatcher turns the events an endpoint wants into `webhook_delivery` rows (one per endpoint
and event), which carry the retry state. Nothing is written twice and nothing is lost: an
event is either past the cursor with its delivery row committed, or still ahead of it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.columns import UTCDateTime
from app.core.time import utc_now
from app.models.base import BigIntKey


class WebhookEndpoint(SQLModel, table=True):
    """A webhook (Standard Webhooks signing) or a WeCom group robot, bound to an area and to
    event kinds."""

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(8))  # webhook | wecom
    owner: str = Field(sa_type=String(40))  # the client_id that registered it
    # Events of this subtree only; always inside the owner's area.
    area_path: str = Field(sa_type=String(255), index=True)
    area_code: str = Field(sa_type=String(12))
    event_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    description: str = Field(default="", sa_type=String(200))
    # Scheme, host and path only: a robot's key is in the query and is a credential.
    url_hint: str = Field(sa_type=String(300))
    # The URL and signing secrets, encrypted (app/core/vault.py); never returned.
    sealed: str = Field(sa_type=String(4000))
    # Until then the previous secret signs too (rotation without downtime).
    previous_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    enabled: bool = True
    disabled_reason: str | None = Field(default=None, sa_type=String(200))
    # Since when every attempt failed (None after a success): too long and it is disabled.
    failing_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The last change_event id turned into deliveries for this endpoint.
    cursor: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    # Robots: epoch seconds of the last minute's sends (the 20-a-minute budget).
    send_times: list[float] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event for one endpoint: pending until delivered or dead (schedule exhausted)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index("ix_webhook_delivery_due", "state", "next_attempt_at"),
        Index("ix_webhook_delivery_endpoint_state", "endpoint_id", "state"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    endpoint_id: int = Field(
        sa_column=Column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"), nullable=False)
    )
    event_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # The event's subject: one endpoint gets a subject's events in order.
    subject: str = Field(sa_type=String(64))
    state: str = Field(default="pending", sa_type=String(10))  # pending | delivered | dead
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    last_status: int | None = None
    last_error: str | None = Field(default=None, sa_type=String(300))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
