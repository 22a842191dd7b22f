"""Request-time dependencies as Annotated aliases.

All are `async def` (FastAPI runs plain `def` dependencies in a thread pool, which costs more
than the lookups themselves), and the process-wide parts come as one context object
(`app.context.AppContext`, assembled outside `core`; `ContextDep` is there): each dependency
node costs a few microseconds on every request, and the board is polled a lot. Here, the
context is read only for its database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Protocol

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import Database
from app.core.pagination import MAX_LOG_ID, MAX_REGISTRY_ID, PageParams, paging


class _HasDatabase(Protocol):
    """What these dependencies read of the process context (`app.state.context`)."""

    @property
    def database(self) -> Database: ...


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read session for the request; committed on success, rolled back on error."""
    context: _HasDatabase = request.app.state.context
    async with context.database.session() as session:
        yield session


async def get_write_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A write session (on SQLite it takes the write lock at BEGIN)."""
    context: _HasDatabase = request.app.state.context
    async with context.database.session(write=True) as session:
        yield session


WriteSessionDep = Annotated[AsyncSession, Depends(get_write_session)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
RegistryPageDep = Annotated[PageParams, Depends(paging(max_id=MAX_REGISTRY_ID))]
LogPageDep = Annotated[PageParams, Depends(paging(max_id=MAX_LOG_ID))]
