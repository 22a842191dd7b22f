"""Registering clients and getting tokens through the real token endpoint; the callers, targets
and leak check of the BOLA matrices (REST and GraphQL)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlmodel import col, select

from app.auth.principal import city_principal
from app.auth.scopes import Tier
from app.core.db import Database
from app.models import Connector, Jurisdiction, Pile
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


# Each caller sits in Beixinjing's branch; the targets are named relative to a street caller.
CALLERS = {
    Tier.CITY: "310000",
    Tier.DISTRICT: "310105",
    Tier.STREET: "310105011",
    Tier.VENDOR: "310105011",
}
TARGETS = {
    "own street": "310105011",
    "sibling street": "310105010",
    "parent district": "310105",
    "other district": "310104",
    "city": "310000",
}


async def jurisdiction_paths(database: Database) -> dict[str, str]:
    async with database.session() as session:
        rows = (await session.exec(select(Jurisdiction.code, Jurisdiction.path))).all()
    return dict(rows)


async def one_pile_in(database: Database, path: str) -> tuple[int, int]:
    """A pile (and one of its connectors) somewhere in the subtree of `path`."""
    async with database.session() as session:
        row = (
            await session.exec(
                select(Pile.id, Connector.id)
                .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
                .join(Connector, col(Connector.pile_pk) == Pile.id)
                .where(col(Jurisdiction.path).startswith(path))
                .order_by(col(Pile.id))
            )
        ).first()
    assert row is not None, path
    pile, connector = row
    assert pile is not None
    assert connector is not None
    return pile, connector


def leaks(body: Any, caller_path: str, paths: dict[str, str]) -> list[str]:
    """Codes of jurisdictions in the answer that lie outside the caller's area."""
    found: list[str] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key in {"community", "code", "community_code"} and isinstance(value, str):
                if value in paths and not paths[value].startswith(caller_path):
                    found.append(value)
            found += leaks(value, caller_path, paths)
    elif isinstance(body, list):
        for item in body:
            found += leaks(item, caller_path, paths)
    return found
