"""SQL for the audit log. Auditors see records of callers inside their own area."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import visibility
from app.auth.principal import Principal
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
    statement = (
        select(AuditRecord)
        .where(visibility.visible_to(principal, col(AuditRecord.area_path)))
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
