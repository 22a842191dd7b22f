from __future__ import annotations

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import execute


async def schema_revision(session: AsyncSession) -> str | None:
    """The alembic revision the database is at (None before the first migration)."""
    result = await execute(session, text("SELECT version_num FROM alembic_version"))
    row = result.first()
    return str(row[0]) if row else None
