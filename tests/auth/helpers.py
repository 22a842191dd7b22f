"""Registering clients and getting tokens through the real token endpoint."""

from __future__ import annotations

import httpx

from app.auth.principal import city_principal
from app.auth.scopes import Tier
from app.core.db import Database
from app.oauth import service


async def register(
    database: Database,
    *,
    tier: Tier,
    area: str,
    scopes: set[str] | None = None,
    jwks: dict[str, object] | None = None,
    resource_server: bool = False,
) -> tuple[str, str | None]:
    """A client registered by the city; returns (client_id, secret)."""
    async with database.session(write=True) as session:
        created = await service.create_client(
            session, city_principal("310000"), name=f"test {tier} {area}", tier=tier,
            area_code=area, scopes=scopes, jwks=jwks, resource_server=resource_server,
        )  # fmt: skip
    return created.client.client_id, created.secret


async def token_for(
    client: httpx.AsyncClient, client_id: str, secret: str, scope: str | None = None
) -> httpx.Response:
    data = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
    return await client.post("/oauth/token", data=data, auth=(client_id, secret))


async def bearer(
    client: httpx.AsyncClient, database: Database, *, tier: Tier, area: str
) -> dict[str, str]:
    client_id, secret = await register(database, tier=tier, area=area)
    assert secret is not None
    response = await token_for(client, client_id, secret)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
