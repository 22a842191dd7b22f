"""Request-time dependencies as Annotated aliases.

All are `async def` (FastAPI runs plain `def` dependencies in a thread pool, which costs more
than the lookups themselves). The process-wide objects of core (settings, the database, the
secret vault) are read from their slots on `app.state` (app/core/parts.py); the domains'
objects from the slots each domain declares.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.db import Database
from app.core.pagination import MAX_LOG_ID, MAX_REGISTRY_ID, PageParams, paging
from app.core.parts import ProcessPart
from app.core.vault import SecretVault

SETTINGS: ProcessPart[Settings] = ProcessPart("settings")
DATABASE: ProcessPart[Database] = ProcessPart("database")
VAULT: ProcessPart[SecretVault] = ProcessPart("vault")


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A read session for the request; committed on success, rolled back on error."""
    async with DATABASE.of(request).session() as session:
        yield session


async def get_write_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A write session (on SQLite it takes the write lock at BEGIN)."""
    async with DATABASE.of(request).session(write=True) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(SETTINGS.dependency)]
VaultDep = Annotated[SecretVault, Depends(VAULT.dependency)]
WriteSessionDep = Annotated[AsyncSession, Depends(get_write_session)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
RegistryPageDep = Annotated[PageParams, Depends(paging(max_id=MAX_REGISTRY_ID))]
LogPageDep = Annotated[PageParams, Depends(paging(max_id=MAX_LOG_ID))]
