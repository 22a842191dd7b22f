"""SQL for the generator: where an interrupted run resumes, and the bulk session load."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.bulk import insert_rows
from app.core.db import execute, is_postgresql
from app.models import ChargingSession, Connector, Operator

_SESSIONS = ChargingSession.__table__  # type: ignore[attr-defined]


async def last_seq(
    session: AsyncSession, operator_id: str, *, below: str, at_least: str
) -> str | None:
    """The greatest StartChargeSeq stored for the operator in [at_least, below) (generated
    seqs sort by day)."""
    result = await execute(
        session,
        sa.select(sa.func.max(ChargingSession.start_charge_seq))
        .join(Operator, col(Operator.id) == ChargingSession.operator_pk)
        .where(
            col(Operator.operator_id) == operator_id,
            col(ChargingSession.start_charge_seq) >= at_least,
            col(ChargingSession.start_charge_seq) < below,
        ),
    )
    value: str | None = result.scalar()
    return value


async def connector_pks(session: AsyncSession, operator_id: str) -> tuple[int, dict[str, int]]:
    """The operator's pk, and ConnectorID -> connector pk for all its connectors."""
    result = await execute(
        session,
        sa.select(col(Operator.id), col(Connector.connector_id), col(Connector.id).label("pk"))
        .join(Connector, col(Connector.operator_pk) == Operator.id)
        .where(col(Operator.operator_id) == operator_id),
    )
    rows = result.all()
    operator_pk = rows[0].id if rows else 0
    return operator_pk, {row.connector_id: row.pk for row in rows}


async def insert_sessions(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Append new sessions (dicts of charging_session columns, all with the same keys) in
    the caller's transaction by the bulk path: COPY on PostgreSQL, the driver's executemany
    on SQLite (`app.core.bulk.insert_rows`).

    On PostgreSQL the transaction also commits asynchronously: a crash may lose the last
    days written, and a rerun writes them again (it resumes after the last stored day)."""
    if is_postgresql(session):
        # Through SQLAlchemy first: this opens the transaction that the COPY then joins.
        await execute(session, sa.text("SET LOCAL synchronous_commit TO OFF"))
    await insert_rows(session, _SESSIONS, rows)
