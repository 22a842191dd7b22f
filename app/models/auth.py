"""OAuth2 clients of the hub's own authorization server, its signing keys, the token
denylist and replay protection for client assertions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, String, Text
from sqlmodel import Field, SQLModel

from app.core.columns import JSONDocument, UTCDateTime
from app.core.time import utc_now


class ApiClient(SQLModel, table=True):
    """A dashboard, script or vendor system that reads the hub with OAuth2 client credentials.

    Tier and area are bound here, never chosen by the caller: they become token claims.
    """

    __tablename__ = "api_client"

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(sa_type=String(40), unique=True)
    name: str = Field(sa_type=String(100))
    tier: str = Field(sa_type=String(12))
    area_code: str = Field(sa_type=String(32))
    # Space-separated allow-list: a token may carry any subset, never more.
    scopes: str = Field(sa_type=String(500))
    # "client_secret_basic" (secret_hash set) or "private_key_jwt" (jwks set).
    auth_method: str = Field(sa_type=String(24))
    # SHA-256 of a 256-bit random secret: a slow password hash adds nothing at that entropy.
    secret_hash: str | None = Field(default=None, sa_type=String(64))
    jwks: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONDocument, nullable=True))
    # Resource servers may introspect tokens (RFC 7662 §4: nobody else, against scanning).
    resource_server: bool = False
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    secret_rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SigningKey(SQLModel, table=True):
    """An access-token signing key; JWKS publishes the next, current and previous ones."""

    __tablename__ = "signing_key"

    id: int | None = Field(default=None, primary_key=True)
    kid: str = Field(sa_type=String(40), unique=True)
    # "next" (published, not yet signing), "current" (signing), "previous" (still verifying),
    # "retired" (gone from JWKS).
    state: str = Field(sa_type=String(10), index=True)
    algorithm: str = Field(sa_type=String(8))
    # The private JWK, sealed with the secret key (Fernet); the public part in the clear.
    private_jwk: str = Field(sa_type=Text)
    public_jwk: dict[str, Any] = Field(sa_column=Column(JSONDocument, nullable=False))
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RevokedToken(SQLModel, table=True):
    """A denylisted access token (by jti), kept until it would have expired anyway."""

    __tablename__ = "revoked_token"

    jti: str = Field(sa_type=String(64), primary_key=True)
    client_id: str = Field(sa_type=String(40))
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    revoked_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class UsedAssertion(SQLModel, table=True):
    """A private_key_jwt client assertion's jti, so that none can be replayed (RFC 7523 §3)."""

    __tablename__ = "used_assertion"

    jti: str = Field(sa_type=String(128), primary_key=True)
    client_id: str = Field(sa_type=String(40))
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
