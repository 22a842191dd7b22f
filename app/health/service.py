"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.migrations import alembic_config
from app.health import repository
from app.health.schemas import Readiness


@lru_cache
def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


READINESS_TIMEOUT_SECONDS = 0.8


async def check_readiness(session: AsyncSession, settings: Settings) -> Readiness:
    """Ready when the database answers and its schema is at the newest migration."""
    try:
        # A load balancer polls this: it must answer, and fast, when the database does not.
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            revision = await repository.schema_revision(session)
    except (SQLAlchemyError, OSError, TimeoutError):
        return Readiness(ready=False, database="unreachable or not migrated", schema_revision=None)
    head = head_revision()
    return Readiness(
        ready=revision == head,
        database="sqlite" if settings.is_sqlite else "postgresql",
        schema_revision=revision,
        expected_revision=head,
    )
