"""Per-area snapshots of rendered read models, invalidated through the change_event log.

A dashboard polls the same board many times between changes. The snapshot is the response
body itself, so a poll is answered from memory:

- The newest event id (the data version) is read from the database at most once per
  `max_age` per process, by one request while the others wait for it. A board is therefore at
  most `max_age` behind the log, in every API process.
- When the version has moved, one indexed probe over the new events decides whether they
  touched the area; only then is the body rebuilt, once, however many pollers are waiting.
- Authorisation happens inside `build`: a key includes the caller's area, and a refused
  lookup raises before anything is stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from app.changelog import repository as events_repository
from app.changelog.cache import AreaCache, Entry
from app.core.db import Database
from app.core.parts import ProcessPart

Builder = Callable[[AsyncSession, int], Awaitable[tuple[str, bytes]]]


@dataclass(frozen=True, slots=True)
class Snapshot:
    body: bytes
    # A strong validator of the body, so pollers can ask "changed?" with If-None-Match.
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Snapshot:
        return cls(body, f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"')


class SnapshotCache:
    def __init__(self, *, max_age: float, max_entries: int = 512) -> None:
        self.max_age = max_age
        self._build_locks: dict[Hashable, asyncio.Lock] = {}
        self._entries = AreaCache[Snapshot](max_entries, on_evict=self._forget)
        self._version = 0
        self._checked_at = float("-inf")
        self._version_lock = asyncio.Lock()

    async def latest_version(self, database: Database) -> int:
        if time.monotonic() - self._checked_at < self.max_age:
            return self._version
        async with self._version_lock:
            if time.monotonic() - self._checked_at >= self.max_age:
                async with database.session() as session:
                    self._version = await events_repository.latest_id(session)
                self._checked_at = time.monotonic()
        return self._version

    def peek(self, key: Hashable) -> Snapshot | None:
        """The snapshot under `key` if it is current and no version check is due, else None."""
        if time.monotonic() - self._checked_at >= self.max_age:
            return None
        entry = self._entries.get(key)
        return entry.value if entry is not None and entry.version == self._version else None

    async def get_or_build(self, database: Database, key: Hashable, build: Builder) -> Snapshot:
        """The snapshot under `key`; `build(session, version)` gives (area path, body).

        A fresh hit opens no database session at all: that is what makes polling cheap.
        """
        latest = await self.latest_version(database)
        entry = self._entries.get(key)
        if entry is not None and entry.version == latest:
            return entry.value
        lock = self._build_locks.setdefault(key, asyncio.Lock())
        async with lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != latest:
                async with database.session() as session:
                    entry = await self._refresh(session, key, entry, latest, build)
        return entry.value

    async def _refresh(
        self,
        session: AsyncSession,
        key: Hashable,
        entry: Entry[Snapshot] | None,
        latest: int,
        build: Builder,
    ) -> Entry[Snapshot]:
        if entry is not None and await self._entries.carry(session, entry, latest):
            return entry
        # Built after `latest` was read, so a body is never older than its version.
        area_path, body = await build(session, latest)
        return self._entries.put(key, latest, area_path, Snapshot.of(body))

    def _forget(self, key: Hashable) -> None:
        self._build_locks.pop(key, None)


# The board and map snapshots of this process (installed by app.context).
SNAPSHOTS: ProcessPart[SnapshotCache] = ProcessPart("snapshots")
