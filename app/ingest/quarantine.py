"""Quarantine: every record the hub refuses is kept here with its reason, and nowhere else."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.pagination import PageParams, next_cursor
from app.core.time import utc_now
from app.ingest import repository
from app.ingest.schemas import QuarantinePage, QuarantinePublic


async def quarantine(
    session: AsyncSession,
    *,
    operator_pk: int | None,
    source: str,
    reason: str,
    payload: Any,
    received_at: datetime | None = None,
) -> None:
    """Keep a refused record with the reason it was refused."""
    await repository.insert_quarantine(
        session,
        [
            {
                "operator_pk": operator_pk,
                "source": source[:64],
                "reason": reason[:500],
                "payload": payload if isinstance(payload, dict) else {"value": payload},
                "received_at": received_at or utc_now(),
            }
        ],
    )


async def list_quarantine(
    session: AsyncSession, *, operator_id: str | None, page: PageParams
) -> QuarantinePage:
    """List refused records, newest first."""
    rows = await repository.list_quarantine(
        session, operator_id=operator_id, before_id=page.after_id, limit=page.fetch_limit
    )
    shown, more = page.cut(rows)
    items = [
        QuarantinePublic(
            id=record.id or 0,
            operator_id=operator_id_,
            source=record.source,
            reason=record.reason,
            payload=record.payload,
            received_at=record.received_at,
        )
        for record, operator_id_ in shown
    ]
    last = items[-1].id if items else None
    return QuarantinePage(items=items, next_cursor=next_cursor(last, more))
