"""Answers to repeated GraphQL queries, per process, valid for one data version.

A dashboard polls the same query between changes. The key is everything the answer depends
on: the query, its variables and operation, and what the caller may see (area, tier,
scopes; a vendor's own pseudonyms). An entry is valid for the data version (the change log's
newest id) it was built at; when the log has moved, one indexed probe over the new events
decides whether any touched the caller's area (as the REST board's snapshots do), so a change
in another district does not cost this street's dashboard a re-execution. Only complete
answers (no errors) of queries are kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from app.auth.principal import Principal
from app.changelog import repository as events_repository
from app.core.db import Database

# Beyond this many new events, re-executing is cheaper than probing them.
_PROBE_LIMIT = 5_000


@dataclass(slots=True)
class _Entry:
    version: int
    area_path: str
    body: bytes


def cache_key(
    principal: Principal, query: str, variables: bytes, operation: str | None
) -> Hashable:
    viewer = principal.subject if principal.is_vendor else ""
    return (principal.area_path, principal.tier, principal.scopes, viewer, query, variables,
            operation)  # fmt: skip


class ResponseCache:
    def __init__(self, max_entries: int) -> None:
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()

    async def get(self, database: Database, key: Hashable, version: int) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None or not entry.version <= version <= entry.version + _PROBE_LIMIT:
            return None
        if entry.version < version:
            async with database.session() as session:
                moved = await events_repository.area_changed_between(
                    session, entry.area_path, entry.version, version
                )
            if moved:
                return None
            entry.version = version
        self._entries.move_to_end(key)
        return entry.body

    def put(self, key: Hashable, version: int, area_path: str, body: bytes) -> None:
        """Keep `body`, built at `version`, as the answer for a caller seeing `area_path`."""
        if self._max_entries == 0:
            return
        self._entries[key] = _Entry(version, area_path, body)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
