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

from collections.abc import Hashable

from app.auth.principal import Principal
from app.changelog.cache import AreaCache
from app.core.db import Database


def cache_key(
    principal: Principal, query: str, variables: bytes, operation: str | None
) -> Hashable:
    viewer = principal.subject if principal.is_vendor else ""
    return (principal.area_path, principal.tier, principal.scopes, viewer, query, variables,
            operation)  # fmt: skip


class ResponseCache:
    def __init__(self, max_entries: int) -> None:
        self._entries = AreaCache[bytes](max_entries)

    async def get(self, database: Database, key: Hashable, version: int) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None or entry.version > version:
            return None
        if entry.version < version:
            if not entry.reachable(version):
                return None  # too far behind to probe: no session for nothing
            async with database.session() as session:
                if not await self._entries.carry(session, entry, version):
                    return None
        self._entries.touch(key)
        return entry.value

    def put(self, key: Hashable, version: int, area_path: str, body: bytes) -> None:
        """Keep `body`, built at `version`, as the answer for a caller seeing `area_path`."""
        self._entries.put(key, version, area_path, body)
