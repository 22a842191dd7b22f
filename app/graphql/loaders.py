"""Per-request DataLoaders: one query per level of a nested query instead of one per object.

Created with the request's context (never shared): a loader caches what it loaded, for the
caller it was created for.
"""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from app.auth.principal import Principal
from app.board.areas import count_colours_within
from app.board.schemas import ColourCounts
from app.core.db import Database
from app.jurisdictions import service as jurisdictions_service
from app.models import Jurisdiction
from app.piles import service as piles_service
from app.piles.schemas import ConnectorPublic

# Keeps each IN (...) list of a batch to a size every database plans well.
_MAX_BATCH = 500


class Loaders:
    def __init__(self, database: Database, principal: Principal) -> None:
        self._database, self._principal = database, principal
        self.children = DataLoader(self._children, max_batch_size=_MAX_BATCH)
        self.counts = DataLoader(self._counts, max_batch_size=_MAX_BATCH)
        self.connectors = DataLoader(self._connectors, max_batch_size=_MAX_BATCH)

    async def _children(self, parent_ids: Sequence[int]) -> list[list[Jurisdiction]]:
        async with self._database.session() as session:
            found = await jurisdictions_service.children_of(session, parent_ids)
        return [found[parent_id] for parent_id in parent_ids]

    async def _counts(self, paths: Sequence[str]) -> list[ColourCounts]:
        async with self._database.session() as session:
            found = await count_colours_within(
                session, self._principal, self._principal.area_path, paths
            )
        return [found[path] for path in paths]

    async def _connectors(self, pile_ids: Sequence[int]) -> list[list[ConnectorPublic]]:
        async with self._database.session() as session:
            found = await piles_service.connectors_of(session, pile_ids)
        return [found.get(pile_id, []) for pile_id in pile_ids]
