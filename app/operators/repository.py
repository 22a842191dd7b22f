"""SQL for operator connections and hub-issued operator tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import execute
from app.models import Operator, OperatorConnection, OperatorToken


async def get_connection(
    session: AsyncSession, operator_id: str
) -> tuple[Operator, OperatorConnection] | None:
    result = await session.exec(
        select(Operator, OperatorConnection)
        .join(OperatorConnection, col(OperatorConnection.operator_pk) == Operator.id)
        .where(Operator.operator_id == operator_id)
    )
    return result.first()


async def list_connections(session: AsyncSession) -> Sequence[tuple[Operator, OperatorConnection]]:
    result = await session.exec(
        select(Operator, OperatorConnection)
        .join(OperatorConnection, col(OperatorConnection.operator_pk) == Operator.id)
        .order_by(col(Operator.operator_id))
    )
    return result.all()


async def find_connection_by_operator_pk(
    session: AsyncSession, operator_pk: int
) -> OperatorConnection | None:
    result = await session.exec(
        select(OperatorConnection).where(OperatorConnection.operator_pk == operator_pk)
    )
    return result.first()


async def add(session: AsyncSession, row: Operator | OperatorConnection | OperatorToken) -> None:
    session.add(row)
    await session.flush()


async def find_token(session: AsyncSession, token_hash: str) -> OperatorToken | None:
    result = await session.exec(select(OperatorToken).where(OperatorToken.token_hash == token_hash))
    return result.first()


async def delete_expired_tokens(session: AsyncSession, now: datetime) -> None:
    await execute(session, delete(OperatorToken).where(col(OperatorToken.expires_at) < now))


async def get_operator(session: AsyncSession, operator_id: str) -> Operator | None:
    result = await session.exec(select(Operator).where(Operator.operator_id == operator_id))
    return result.first()
