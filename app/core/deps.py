"""Request-time dependencies as Annotated aliases.

All are `async def` (FastAPI runs plain `def` dependencies in a thread pool, which costs more
than the lookups themselves), and the process-wide parts come as one `AppContext`: each
dependency node costs a few microseconds on every request, and the board is polled a lot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import HTTPConnection

from app.core.context import AppContext
from app.core.pagination import MAX_LOG_ID, MAX_REGISTRY_ID, PageParams, paging


def app_context(request: HTTPConnection) -> AppContext:
    """The process context, for hot routes that take `Request` instead of one more dependency."""
    context: AppContext = request.app.state.context
    return context


async def get_context(request: Request) -> AppContext:
    return app_context(request)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read session for the request; committed on success, rolled back on error."""
    context: AppContext = request.app.state.context
    async with context.database.session() as session:
        yield session


async def get_write_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A write session (on SQLite it takes the write lock at BEGIN)."""
    context: AppContext = request.app.state.context
    async with context.database.session(write=True) as session:
        yield session


ContextDep = Annotated[AppContext, Depends(get_context)]
WriteSessionDep = Annotated[AsyncSession, Depends(get_write_session)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
RegistryPageDep = Annotated[PageParams, Depends(paging(max_id=MAX_REGISTRY_ID))]
LogPageDep = Annotated[PageParams, Depends(paging(max_id=MAX_LOG_ID))]
