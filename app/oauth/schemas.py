"""Client registration shapes (a secret is returned once, at creation or rotation), and
wall screens' approval and listing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.auth.scopes import Scope, Tier
from app.core.time import instant
from app.jurisdictions.schemas import AREA_PATTERN
from app.models import ApiClient, Screen


class ClientCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    tier: Tier
    area: str = Field(pattern=AREA_PATTERN, description="Jurisdiction code of its area")
    scopes: list[Scope] | None = Field(
        default=None, description="An allow-list within the tier's scopes; default: all of them"
    )
    jwks: dict[str, Any] | None = Field(
        default=None, description="Public JWK Set for private_key_jwt; omit for a secret"
    )
    resource_server: bool = Field(default=False, description="May introspect tokens")


class ClientPublic(BaseModel):
    client_id: str
    name: str
    tier: Tier
    area: str
    scopes: list[str]
    auth_method: str
    resource_server: bool
    created_at: datetime = Field(description=instant())
    secret_rotated_at: datetime | None = Field(description=instant())
    disabled_at: datetime | None = Field(description=instant("Null while enabled."))

    @classmethod
    def of(cls, client: ApiClient) -> ClientPublic:
        return cls(
            client_id=client.client_id,
            name=client.name,
            tier=Tier(client.tier),
            area=client.area_code,
            scopes=client.scopes.split(),
            auth_method=client.auth_method,
            resource_server=client.resource_server,
            created_at=client.created_at,
            secret_rotated_at=client.secret_rotated_at,
            disabled_at=client.disabled_at,
        )


class ClientCredentials(ClientPublic):
    """The client with its secret: shown this once, stored only as a hash."""

    client_secret: str | None


class ClientPage(BaseModel):
    items: list[ClientPublic]
    next_cursor: str | None


class ScreenApprove(BaseModel):
    user_code: str = Field(
        min_length=1, max_length=32, description="As the screen shows it; case and dashes ignored"
    )
    area: str = Field(pattern=AREA_PATTERN, description="Jurisdiction code of the screen's area")
    scopes: list[Scope] | None = Field(
        default=None,
        description="Read scopes within the area's tier and yours; default: what the screen "
        "asked for, else registry:read status:read energy:read alerts:read",
    )
    name: str | None = Field(default=None, min_length=1, max_length=100)


class ScreenDeny(BaseModel):
    user_code: str = Field(min_length=1, max_length=32)


class ScreenPublic(BaseModel):
    screen_id: str = Field(description="The client_id and sub of the screen's access tokens")
    name: str
    tier: Tier
    area: str
    scopes: list[str]
    approved_by: str
    created_at: datetime = Field(description=instant())
    last_refreshed_at: datetime | None = Field(description=instant("Null until it refreshes."))
    revoked_at: datetime | None = Field(description=instant("Null while signed in."))

    @classmethod
    def of(cls, screen: Screen) -> ScreenPublic:
        return cls(
            screen_id=screen.screen_id,
            name=screen.name,
            tier=Tier(screen.tier),
            area=screen.area_code,
            scopes=screen.scopes.split(),
            approved_by=screen.approved_by,
            created_at=screen.created_at,
            last_refreshed_at=screen.last_refreshed_at,
            revoked_at=screen.revoked_at,
        )


class ScreenPage(BaseModel):
    items: list[ScreenPublic]
    next_cursor: str | None
