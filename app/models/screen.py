"""Wall screens signed in with the OAuth 2.0 Device Authorization Grant (RFC 8628): the
pending device authorizations, the approved screens, and their rotating refresh tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.core.columns import UTCDateTime
from app.core.time import utc_now


class DeviceAuthorization(SQLModel, table=True):
    """A screen's request to be signed in, from its device code to an admin's decision.

    Status: "pending" until an admin approves or denies its user code, "approved" until the
    screen collects its tokens, then "used"; "denied" and expired ones only answer errors.
    """

    __tablename__ = "device_authorization"

    id: int | None = Field(default=None, primary_key=True)
    # SHA-256 of the device code: a copy of the table signs no screen in.
    device_code_hash: str = Field(sa_type=String(64), unique=True)
    # Stored normalised (upper case, no dash), as an admin's entry is compared.
    user_code: str = Field(sa_type=String(16), index=True)
    client_id: str = Field(sa_type=String(40))
    requested_scopes: str | None = Field(default=None, sa_type=String(500))
    approved_scopes: str | None = Field(default=None, sa_type=String(500))
    area_code: str | None = Field(default=None, sa_type=String(32))
    status: str = Field(default="pending", sa_type=String(10))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # Seconds between polls; grows by 5 at every slow_down (RFC 8628 §3.5).
    interval: int = 5
    last_polled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by: str | None = Field(default=None, sa_type=String(40))
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    screen_id: str | None = Field(default=None, sa_type=String(40))


class Screen(SQLModel, table=True):
    """An approved wall screen: read-only scopes on one area, at that area's tier.

    Its id is the `client_id` and `sub` of its access tokens, so revoking it puts it on the
    verifier's disabled list like a disabled client.
    """

    __tablename__ = "screen"

    id: int | None = Field(default=None, primary_key=True)
    screen_id: str = Field(sa_type=String(40), unique=True)
    name: str = Field(sa_type=String(100))
    tier: str = Field(sa_type=String(12))
    area_code: str = Field(sa_type=String(32))
    scopes: str = Field(sa_type=String(500))
    approved_by: str = Field(sa_type=String(40))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    last_refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class ScreenRefreshToken(SQLModel, table=True):
    """One refresh token of a screen, stored hashed. Each is good for one use: a refresh
    answers a new one and marks this one used; presenting a used one again means it was
    copied, and revokes the screen (RFC 9700 §4.14.2)."""

    __tablename__ = "screen_refresh_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    screen_id: str = Field(sa_type=String(40), index=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
