"""SQL for the change_event log."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import visibility
from app.core.bulk import insert_rows
from app.core.db import execute, mark_log_written
from app.core.paths import ancestor_paths
from app.models import ChangeEvent

CHANNEL = "pilehub_events"  # LISTEN/NOTIFY channel: "the change log moved"

_TABLE = ChangeEvent.__table__  # type: ignore[attr-defined]


async def insert(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Append events (dicts of ChangeEvent columns, in order) in one statement."""
    if rows:
        await insert_rows(session, _TABLE, rows)
        await notify(session)
        mark_log_written(session)


async def latest_id(session: AsyncSession) -> int:
    result = await session.exec(select(func.max(ChangeEvent.id)))
    return result.one() or 0


async def area_changed_between(
    session: AsyncSession, area_path: str, after_id: int, up_to_id: int
) -> bool:
    """Whether any event in (after_id, up_to_id] touched the area's subtree."""
    # Events about an ancestor (e.g. a district renamed) also touch the area.
    statement = (
        select(ChangeEvent.id)
        .where(col(ChangeEvent.id) > after_id, col(ChangeEvent.id) <= up_to_id)
        .where(
            visibility.within(col(ChangeEvent.area_path), area_path)
            | col(ChangeEvent.area_path).in_(ancestor_paths(area_path))
        )
        .limit(1)
    )
    result = await session.exec(statement)
    return result.first() is not None


async def after(
    session: AsyncSession, after_id: int, *, area_path: str | None, limit: int
) -> Sequence[ChangeEvent]:
    """Events with id > after_id, in id order; only those in `area_path`'s subtree if given."""
    statement = select(ChangeEvent).where(col(ChangeEvent.id) > after_id)
    if area_path is not None:
        statement = statement.where(visibility.within(col(ChangeEvent.area_path), area_path))
    result = await session.exec(statement.order_by(col(ChangeEvent.id)).limit(limit))
    return result.all()


async def notify(session: AsyncSession) -> None:
    """On PostgreSQL, a wake-up hint for other processes, delivered when this transaction
    commits (never before: NOTIFY is transactional). It carries nothing; readers read the log."""
    if session.get_bind().dialect.name == "postgresql":
        await execute(session, text(f"NOTIFY {CHANNEL}"))
