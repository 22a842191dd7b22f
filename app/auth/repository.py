"""SQL for what a token verifier trusts: signing keys, disabled clients and revoked screens,
the token denylist."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.models import ApiClient, RevokedToken, Screen, SigningKey


async def keys(session: AsyncSession, states: Sequence[str]) -> Sequence[SigningKey]:
    result = await session.exec(
        select(SigningKey).where(col(SigningKey.state).in_(states)).order_by(col(SigningKey.id))
    )
    return result.all()


async def add_key(session: AsyncSession, key: SigningKey) -> None:
    session.add(key)
    await session.flush()


async def disabled_client_ids(session: AsyncSession, revoked_since: datetime) -> set[str]:
    """Disabled clients, and screens revoked since `revoked_since`: a screen's tokens carry its
    id as their client_id, and none outlives the token lifetime, so older ones need no entry."""
    result = await session.exec(
        select(ApiClient.client_id).where(col(ApiClient.disabled_at).is_not(None))
    )
    screens = await session.exec(
        select(Screen.screen_id).where(col(Screen.revoked_at) >= revoked_since)
    )
    return set(result.all()) | set(screens.all())


async def live_revoked_jtis(session: AsyncSession, now: datetime) -> set[str]:
    result = await session.exec(select(RevokedToken.jti).where(col(RevokedToken.expires_at) > now))
    return set(result.all())
