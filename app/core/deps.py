"""Request-time dependencies as Annotated aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from app.board.snapshots import SnapshotCache
from app.core.config import Settings
from app.core.db import Database
from app.core.pagination import PageParams, page_params


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read session for the request; committed on success, rolled back on error."""
    async with get_database(request).session() as session:
        yield session


def get_snapshots(request: Request) -> SnapshotCache:
    cache: SnapshotCache = request.app.state.snapshots
    return cache


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DatabaseDep = Annotated[Database, Depends(get_database)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
SnapshotsDep = Annotated[SnapshotCache, Depends(get_snapshots)]
PageDep = Annotated[PageParams, Depends(page_params)]
