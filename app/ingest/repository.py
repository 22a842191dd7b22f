"""SQL for ingest bookkeeping: quarantine, runs, checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import execute, upsert_insert
from app.core.time import utc_now
from app.models import IngestCheckpoint, IngestRun, Operator, QuarantineRecord


async def insert_quarantine(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await execute(session, insert(QuarantineRecord), rows)


async def list_quarantine(
    session: AsyncSession, *, operator_id: str | None, before_id: int | None, limit: int
) -> Sequence[tuple[QuarantineRecord, str | None]]:
    statement = select(QuarantineRecord, Operator.operator_id).outerjoin(
        Operator, col(Operator.id) == QuarantineRecord.operator_pk
    )
    if operator_id is not None:
        statement = statement.where(Operator.operator_id == operator_id)
    if before_id is not None:
        statement = statement.where(col(QuarantineRecord.id) < before_id)
    result = await session.exec(statement.order_by(col(QuarantineRecord.id).desc()).limit(limit))
    return result.all()


async def add_run(session: AsyncSession, run: IngestRun) -> IngestRun:
    session.add(run)
    await session.flush()
    return run


async def get_checkpoint(session: AsyncSession, operator_pk: int, kind: str) -> str | None:
    result = await session.exec(
        select(IngestCheckpoint.value).where(
            IngestCheckpoint.operator_pk == operator_pk, IngestCheckpoint.kind == kind
        )
    )
    return result.first()


async def set_checkpoint(session: AsyncSession, operator_pk: int, kind: str, value: str) -> None:
    statement = upsert_insert(session, IngestCheckpoint).values(
        operator_pk=operator_pk, kind=kind, value=value, updated_at=utc_now()
    )
    await execute(
        session,
        statement.on_conflict_do_update(
            index_elements=["operator_pk", "kind"],
            set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at},
        ),
    )
