"""SQL for OAuth2 clients, signing keys, the token denylist and used client assertions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.core.db import execute, upsert_insert
from app.jurisdictions.repository import descendant_ids
from app.models import ApiClient, Jurisdiction, RevokedToken, SigningKey, UsedAssertion


async def get_client(session: AsyncSession, client_id: str) -> ApiClient | None:
    result = await session.exec(select(ApiClient).where(ApiClient.client_id == client_id))
    return result.first()


async def add_client(session: AsyncSession, client: ApiClient) -> ApiClient:
    session.add(client)
    await session.flush()
    return client


async def list_visible_clients(
    session: AsyncSession, principal: Principal, *, after_id: int | None, limit: int
) -> Sequence[ApiClient]:
    """Clients registered for an area inside the principal's area."""
    area_codes = select(col(Jurisdiction.code)).where(
        col(Jurisdiction.id).in_(descendant_ids(principal))
    )
    statement = (
        select(ApiClient)
        .where(col(ApiClient.area_code).in_(area_codes))
        .order_by(col(ApiClient.id))
        .limit(limit)
    )
    if after_id is not None:
        statement = statement.where(col(ApiClient.id) > after_id)
    result = await session.exec(statement)
    return result.all()


async def disabled_client_ids(session: AsyncSession) -> set[str]:
    result = await session.exec(
        select(ApiClient.client_id).where(col(ApiClient.disabled_at).is_not(None))
    )
    return set(result.all())


async def live_revoked_jtis(session: AsyncSession, now: datetime) -> set[str]:
    result = await session.exec(select(RevokedToken.jti).where(col(RevokedToken.expires_at) > now))
    return set(result.all())


async def revoke(session: AsyncSession, row: RevokedToken) -> None:
    statement = upsert_insert(session, RevokedToken).values(
        jti=row.jti, client_id=row.client_id, expires_at=row.expires_at, revoked_at=row.revoked_at
    )
    await execute(session, statement.on_conflict_do_nothing(index_elements=["jti"]))


async def keys(session: AsyncSession, states: Sequence[str]) -> Sequence[SigningKey]:
    result = await session.exec(
        select(SigningKey).where(col(SigningKey.state).in_(states)).order_by(col(SigningKey.id))
    )
    return result.all()


async def add_key(session: AsyncSession, key: SigningKey) -> None:
    session.add(key)
    await session.flush()


async def claim_assertion(session: AsyncSession, row: UsedAssertion, now: datetime) -> bool:
    """Record a client assertion's jti; False if it was already used (a replay)."""
    await execute(session, delete(UsedAssertion).where(col(UsedAssertion.expires_at) < now))
    statement = upsert_insert(session, UsedAssertion).values(
        jti=row.jti, client_id=row.client_id, expires_at=row.expires_at
    )
    result = await execute(session, statement.on_conflict_do_nothing(index_elements=["jti"]))
    return bool(result.rowcount)  # type: ignore[attr-defined]
