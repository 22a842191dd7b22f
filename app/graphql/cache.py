"""Answers to repeated GraphQL queries, per process, valid for one data version.

A dashboard polls the same query between changes. The key is everything the answer depends
on: the query, its variables and operation, and what the caller may see (area, tier,
scopes; a vendor's own pseudonyms). The data version is the change log's newest id, so an
entry dies with the first change anywhere; only complete answers (no errors) are kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from app.auth.principal import Principal


@dataclass(frozen=True, slots=True)
class _Entry:
    version: int
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

    def get(self, key: Hashable, version: int) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None or entry.version != version:
            return None
        self._entries.move_to_end(key)
        return entry.body

    def put(self, key: Hashable, version: int, body: bytes) -> None:
        if self._max_entries == 0:
            return
        self._entries[key] = _Entry(version, body)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
