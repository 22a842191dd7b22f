"""Ready-made OAuth2 clients for the demo: one per tier, over the Beixinjing demo areas.

Secrets are stored hashed, so each demo start gives the existing demo clients new secrets
(or registers them) and writes them to `demo_clients_file` for scripts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import city_principal
from app.auth.scopes import Tier
from app.core.config import Settings
from app.models import ApiClient
from app.oauth import service

DEMO_CLIENTS = [  # (name, tier, area)
    ("demo city operations centre", Tier.CITY, "310000"),
    ("demo Changning district operations centre", Tier.DISTRICT, "310105"),
    ("demo Beixinjing street office", Tier.STREET, "310105011"),
    ("demo analytics vendor", Tier.VENDOR, "310000"),
]


async def ensure_demo_clients(session: AsyncSession, settings: Settings) -> list[dict[str, Any]]:
    """Register (or re-key) the demo clients; their credentials, secrets included."""
    principal = city_principal(settings.city_code)
    credentials = []
    for name, tier, area in DEMO_CLIENTS:
        existing = (await session.exec(select(ApiClient).where(ApiClient.name == name))).first()
        if existing is None:
            issued = await service.create_client(
                session, principal, name=name, tier=tier, area_code=area
            )
        else:
            issued = await service.rotate_secret(session, principal, existing.client_id)
        credentials.append(
            {
                "tier": tier.value,
                "area": area,
                "name": name,
                "client_id": issued.client.client_id,
                "client_secret": issued.secret,
                "scopes": issued.client.scopes.split(),
            }
        )
    return credentials


def write_credentials(path: Path, credentials: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(credentials, option=orjson.OPT_INDENT_2))
    path.chmod(0o600)
