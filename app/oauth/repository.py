"""SQL for the authorization server: OAuth2 clients, token revocations and used client
assertions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import visibility
from app.auth.principal import Principal
from app.core.db import execute, upsert_insert
from app.models import ApiClient, RevokedToken, UsedAssertion


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
    statement = (
        select(ApiClient)
        .where(col(ApiClient.area_code).in_(visibility.visible_area_codes(principal)))
        .order_by(col(ApiClient.id))
        .limit(limit)
    )
    if after_id is not None:
        statement = statement.where(col(ApiClient.id) > after_id)
    result = await session.exec(statement)
    return result.all()


async def revoke(session: AsyncSession, row: RevokedToken) -> None:
    statement = upsert_insert(session, RevokedToken).values(
        jti=row.jti, client_id=row.client_id, expires_at=row.expires_at, revoked_at=row.revoked_at
    )
    await execute(session, statement.on_conflict_do_nothing(index_elements=["jti"]))


async def claim_assertion(session: AsyncSession, row: UsedAssertion, now: datetime) -> bool:
    """Record a client assertion's jti; False if it was already used (a replay)."""
    await execute(session, delete(UsedAssertion).where(col(UsedAssertion.expires_at) < now))
    statement = upsert_insert(session, UsedAssertion).values(
        jti=row.jti, client_id=row.client_id, expires_at=row.expires_at
    )
    result = await execute(session, statement.on_conflict_do_nothing(index_elements=["jti"]))
    return bool(result.rowcount)  # type: ignore[attr-defined]
