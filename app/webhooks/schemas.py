"""Webhook and channel shapes. Secrets appear once, in `EndpointCreated`; URLs only as hints."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from app.core.time import instant
from app.jurisdictions.schemas import AREA_PATTERN
from app.webhooks.kinds import ROBOT_DEFAULT

_KINDS = Field(
    min_length=1, max_length=20,
    description="Event kinds (`pile.colour`) or families (`alert.*`).",
)  # fmt: skip


class EndpointKind(StrEnum):
    WEBHOOK = "webhook"
    WECOM = "wecom"


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class WebhookCreate(BaseModel):
    url: str = Field(min_length=8, max_length=2000, repr=False,
                     description="https; checked against SSRF.")  # fmt: skip
    area: str | None = Field(default=None, pattern=AREA_PATTERN,
                             description="Defaults to the caller's area.")  # fmt: skip
    event_kinds: list[str] = _KINDS
    description: str = Field(default="", max_length=200)


class ChannelCreate(BaseModel):
    kind: Literal[EndpointKind.WECOM] = EndpointKind.WECOM
    url: str = Field(min_length=8, max_length=2000, repr=False,
                     description="The robot's webhook URL (its key is a credential).")  # fmt: skip
    area: str | None = Field(
        default=None, pattern=AREA_PATTERN, description="A community or any subtree."
    )
    alert_kinds: list[str] = Field(
        default=list(ROBOT_DEFAULT), min_length=1,
        max_length=10, description="Alert event kinds to post (`alert.*` for all).",
    )  # fmt: skip
    description: str = Field(default="", max_length=200)


class EndpointUpdate(BaseModel):
    url: str | None = Field(default=None, min_length=8, max_length=2000, repr=False)
    event_kinds: list[str] | None = Field(default=None, min_length=1, max_length=20)
    description: str | None = Field(default=None, max_length=200)
    enabled: bool | None = Field(default=None, description="Re-enable after a 410.")


class EndpointPublic(BaseModel):
    id: int
    kind: EndpointKind
    area: str
    event_kinds: list[str]
    url_hint: str = Field(description="Scheme, host and path; never the query or a key.")
    description: str
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None = Field(
        description=instant("Since when every attempt failed; disabled after `disable_after`.")
    )
    previous_secret_until: datetime | None = Field(
        description=instant("Until then the rotated-out secret signs too.")
    )
    created_at: datetime = Field(description=instant())
    updated_at: datetime = Field(description=instant())


class EndpointCreated(EndpointPublic):
    secret: str | None = Field(
        description="The signing secret (`whsec_…`): shown only now. Null for robots."
    )


class EndpointPage(BaseModel):
    items: list[EndpointPublic]
    next_cursor: str | None


class RotateSecret(BaseModel):
    overlap_seconds: int | None = Field(
        default=None, ge=0, le=7 * 86400,
        description="How long the old secret keeps signing (default from settings).",
    )  # fmt: skip

    def overlap(self, default: timedelta) -> timedelta:
        return default if self.overlap_seconds is None else timedelta(seconds=self.overlap_seconds)


class Replay(BaseModel):
    since: datetime = Field(description=instant("Events logged at or after this."))
    until: datetime = Field(description=instant("Events logged before this; at most 31 days on."))

    @model_validator(mode="after")
    def _ordered(self) -> Replay:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("since and until need a UTC offset")
        if self.until <= self.since:
            raise ValueError("until must be after since")
        if self.until - self.since > timedelta(days=31):
            raise ValueError("at most 31 days at a time")
        return self


class ReplayAccepted(BaseModel):
    requeued: int = Field(description="Events queued again, with their original webhook-id.")


class DeliveryPublic(BaseModel):
    id: int
    webhook_id: str = Field(description="The `webhook-id` header: stable across retries.")
    event_id: int
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime = Field(description=instant())
    last_status: int | None
    last_error: str | None
    created_at: datetime = Field(description=instant())
    delivered_at: datetime | None = Field(description=instant("Null until a 2xx."))


class DeliveryPage(BaseModel):
    items: list[DeliveryPublic]
    next_cursor: str | None
