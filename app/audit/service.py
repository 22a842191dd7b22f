"""Reading the audit trail: what a caller may see of it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.audit import repository
from app.auth.principal import Principal
from app.models import AuditRecord


async def list_audit(
    session: AsyncSession,
    principal: Principal,
    *,
    client_id: str | None,
    since: datetime | None,
    after_id: int | None,
    limit: int,
) -> Sequence[AuditRecord]:
    """Audit records of callers inside the principal's area, oldest first."""
    return await repository.list_visible(
        session, principal, client_id=client_id, since=since, after_id=after_id, limit=limit
    )
