"""SQL for the audit log. Auditors see records of callers inside their own area."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.core.paths import subtree_bounds
from app.models import AuditRecord


async def add(session: AsyncSession, record: AuditRecord) -> None:
    session.add(record)
    await session.flush()


async def list_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    client_id: str | None,
    since: datetime | None,
    after_id: int | None,
    limit: int,
) -> Sequence[AuditRecord]:
    low, high = subtree_bounds(principal.area_path)
    statement = (
        select(AuditRecord)
        .where(col(AuditRecord.area_path) >= low, col(AuditRecord.area_path) < high)
        .order_by(col(AuditRecord.id))
        .limit(limit)
    )
    if client_id is not None:
        statement = statement.where(AuditRecord.client_id == client_id)
    if since is not None:
        statement = statement.where(col(AuditRecord.occurred_at) >= since)
    if after_id is not None:
        statement = statement.where(col(AuditRecord.id) > after_id)
    result = await session.exec(statement)
    return result.all()
