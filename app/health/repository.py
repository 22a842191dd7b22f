from __future__ import annotations

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession


async def schema_revision(session: AsyncSession) -> str | None:
    """The alembic revision the database is at (None before the first migration)."""
    result = await session.execute(text("SELECT version_num FROM alembic_version"))
    row = result.first()
    return str(row[0]) if row else None
