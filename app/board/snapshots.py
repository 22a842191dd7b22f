"""Per-area snapshots of rendered read models, invalidated through the change_event log.

A dashboard polls the same board many times between changes. The snapshot is the response
body itself, so a poll costs one `max(id)` on the event log instead of a rebuild. When the
log has moved on, one indexed probe over the new events decides whether they touched the
area; only then is the body rebuilt. Several API processes each keep their own snapshots
and stay correct because the version lives in the shared database.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from app.events import repository as events_repository

# Beyond this many new events a rebuild is cheaper than probing them.
_PROBE_LIMIT = 5_000


@dataclass(slots=True)
class _Entry:
    version: int
    body: bytes


class SnapshotCache:
    def __init__(self, max_entries: int = 512) -> None:
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._max_entries = max_entries

    async def get_or_build(
        self,
        session: AsyncSession,
        *,
        kind: str,
        area_path: str,
        build: Callable[[int], Awaitable[bytes]],
    ) -> bytes:
        """The snapshot of `kind` for the area, rebuilt by `build(version)` when stale."""
        key = (kind, area_path)
        latest = await events_repository.latest_id(session)
        entry = self._entries.get(key)
        if entry is not None and entry.version != latest:
            still_valid = (
                entry.version < latest
                and latest - entry.version <= _PROBE_LIMIT
                and not await events_repository.area_changed_between(
                    session, area_path, entry.version, latest
                )
            )
            entry = entry if still_valid else None
            if entry is not None:
                entry.version = latest
        if entry is None:
            # Built after reading `latest`, so a body is never older than its version.
            entry = _Entry(latest, await build(latest))
            self._entries[key] = entry
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        self._entries.move_to_end(key)
        return entry.body

    def clear(self) -> None:
        self._entries.clear()
