"""SQL for the generator: where an interrupted run resumes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import execute
from app.models import ChargingSession, Operator


async def last_seq(session: AsyncSession, operator_id: str) -> str | None:
    """The greatest StartChargeSeq stored for the operator (generated seqs sort by day)."""
    result = await execute(
        session,
        sa.select(sa.func.max(ChargingSession.start_charge_seq))
        .join(Operator, col(Operator.id) == ChargingSession.operator_pk)
        .where(col(Operator.operator_id) == operator_id),
    )
    value: str | None = result.scalar()
    return value


async def refresh_statistics(session: AsyncSession) -> None:
    """ANALYZE the tables a bulk load grows (PostgreSQL). A fresh table's statistics say it
    is empty, and the planner then filters a batch's order keys against every stored row
    instead of looking them up in the unique index (seconds per batch at 100,000 rows)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("charging_session", "energy_rollup", "energy_area_rollup", "change_event"):
        await execute(session, sa.text(f"ANALYZE {table}"))
