"""One worker per job: PostgreSQL advisory locks; the embedded SQLite default runs one worker."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import Database, execute


@asynccontextmanager
async def job_lock(database: Database, name: str) -> AsyncIterator[bool]:
    """Yield True if this process holds the job `name` for the duration, False if another does.

    The lock lives on its own connection (session-level advisory lock), so the job's own
    transactions can commit page by page while it is held; it is released when the
    connection is returned, even if the job fails.
    """
    if database.is_sqlite:
        yield True
        return
    key = zlib.crc32(name.encode()) - 2**31  # a stable signed 32-bit key
    async with database.engine.connect() as connection:
        acquired = bool(
            (await connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})).scalar()
        )
        try:
            yield acquired
        finally:
            if acquired:
                await connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            await connection.commit()


async def transaction_lock(session: AsyncSession, name: str) -> None:
    """Serialise this transaction with every other one taking the same lock, until it ends.

    On SQLite a write transaction already holds the database's write lock from its BEGIN.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(name.encode()) - 2**31
        await execute(session, text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
