"""Values valid for one version of the change log, invalidated by area.

A value (a rendered board, a GraphQL answer) is built at a data version (the log's newest
id) for a caller who sees one area. When the log has moved, one indexed probe over the new
events decides whether any touched that area's subtree (or an ancestor); if none did, the
value is still the answer and is carried to the new version. Beyond `PROBE_LIMIT` new events
rebuilding is cheaper than probing. The entries are bounded, least recently kept first out.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from app.changelog import repository

# Beyond this many new events a rebuild is cheaper than probing them.
PROBE_LIMIT = 5_000

V = TypeVar("V")


@dataclass(slots=True)
class Entry(Generic[V]):
    version: int
    area_path: str
    value: V

    def reachable(self, version: int) -> bool:
        """Whether a probe may carry this entry to `version` (a newer one, near enough)."""
        return self.version < version <= self.version + PROBE_LIMIT


class AreaCache(Generic[V]):
    def __init__(
        self, max_entries: int, *, on_evict: Callable[[Hashable], None] | None = None
    ) -> None:
        self._max_entries = max_entries
        self._on_evict = on_evict
        self._entries: OrderedDict[Hashable, Entry[V]] = OrderedDict()

    def get(self, key: Hashable) -> Entry[V] | None:
        """The entry under `key`, whatever its version; its place in line is unchanged."""
        return self._entries.get(key)

    def touch(self, key: Hashable) -> None:
        """Mark `key` as just used: the last to be evicted."""
        self._entries.move_to_end(key)

    async def carry(self, session: AsyncSession, entry: Entry[V], version: int) -> bool:
        """Whether `entry` is still the answer at `version` (newer than its own, and within
        reach): no event since touched its area. If so it now holds that version."""
        if not entry.reachable(version) or await repository.area_changed_between(
            session, entry.area_path, entry.version, version
        ):
            return False
        entry.version = version
        return True

    def put(self, key: Hashable, version: int, area_path: str, value: V) -> Entry[V]:
        """Keep `value`, built at `version`, for a caller seeing `area_path`; evict the
        least recently kept entries beyond the bound."""
        entry = Entry(version, area_path, value)
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            evicted, _ = self._entries.popitem(last=False)
            if self._on_evict is not None:
                self._on_evict(evicted)
        return entry
