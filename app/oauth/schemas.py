"""Client registration shapes. A secret is returned once, at creation or rotation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from app.auth.scopes import Scope, Tier
from app.core.time import instant
from app.jurisdictions.schemas import AREA_PATTERN
from app.models import ApiClient


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
