"""Big-screen use cases: the colour board and the map of an area, served from snapshots.

docs/architecture.md follows a board read from the route through the snapshot cache.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.board.areas import count_colours, summarise
from app.board.schemas import (
    Board,
    BoardPile,
    PileFeature,
    PileFeatureCollection,
    PointGeometry,
)
from app.board.snapshots import Snapshot, SnapshotCache
from app.core.db import Database
from app.jurisdictions import service as jurisdictions_service
from app.models import Jurisdiction
from app.models.states import Colour, stored_cause
from app.piles import repository as piles_repository
from app.piles.schemas import JurisdictionRef
from app.piles.service import pile_location


async def board_json(
    database: Database,
    principal: Principal,
    *,
    area: str | None,
    cache: SnapshotCache,
    max_piles: int,
) -> Snapshot:
    """Get the board of an area as JSON bytes (counts by colour, each pile's colour)."""

    async def build(session: AsyncSession, version: int) -> tuple[str, bytes]:
        board = await get_board(session, principal, area=area, version=version, max_piles=max_piles)
        return board.area_path, board.model_dump_json().encode()

    return await cache.get_or_build(database, _board_key(principal, area, max_piles), build)


def _board_key(principal: Principal, area: str | None, max_piles: int) -> tuple[object, ...]:
    # The caller's area is part of the key: an entry exists only after the full route has
    # authorised that caller for that area.
    return ("board", principal.area_path, area or principal.area_code, max_piles)


def peek_board(
    principal: Principal, *, area: str | None, cache: SnapshotCache, max_piles: int
) -> Snapshot | None:
    """The board if a current snapshot is in memory (no I/O), else None."""
    return cache.peek(_board_key(principal, area, max_piles))


async def get_board(
    session: AsyncSession, principal: Principal, *, area: str | None, version: int, max_piles: int
) -> Board:
    """The board of an area (the caller's own when `area` is None) at data `version`."""
    jurisdiction = await jurisdictions_service.get_visible_area(session, principal, area)
    return await _build_board(session, principal, jurisdiction, version, max_piles)


async def _build_board(
    session: AsyncSession,
    principal: Principal,
    area: Jurisdiction,
    version: int,
    max_piles: int,
) -> Board:
    children = await jurisdictions_service.list_children(session, area)
    counts = await count_colours(session, principal, area, children)
    included = counts[area.path].total <= max_piles
    rows = (
        await piles_repository.list_visible(session, principal, area_path=area.path)
        if included
        else []
    )
    return Board(
        area_path=area.path,
        area=summarise(area, counts[area.path]),
        data_version=version,
        children=[summarise(child, counts[child.path]) for child in children],
        piles_included=included,
        piles=[
            BoardPile(
                id=pile.id or 0,
                equipment_id=pile.equipment_id,
                name=pile.name,
                colour=Colour(pile.colour),
                colour_since=pile.colour_since,
                colour_cause=stored_cause(pile.colour_cause),
                maintenance=pile.maintenance,
                community=JurisdictionRef(
                    code=community.code, name=community.name, level=community.level
                ),
                station_id=station.station_id,
                synthetic=station.synthetic,
            )
            for pile, community, station, _operator in rows
        ],
    )


async def map_json(
    database: Database, principal: Principal, *, area: str | None, cache: SnapshotCache
) -> Snapshot:
    """Get the piles of an area as a GeoJSON FeatureCollection coloured by board colour."""

    async def build(session: AsyncSession, _version: int) -> tuple[str, bytes]:
        jurisdiction = await jurisdictions_service.get_visible_area(session, principal, area)
        collection = await _build_map(session, principal, jurisdiction)
        return jurisdiction.path, collection.model_dump_json().encode()

    return await cache.get_or_build(database, _map_key(principal, area), build)


def _map_key(principal: Principal, area: str | None) -> tuple[object, ...]:
    return ("map", principal.area_path, area or principal.area_code)


def peek_map(principal: Principal, *, area: str | None, cache: SnapshotCache) -> Snapshot | None:
    """The map if a current snapshot is in memory (no I/O), else None."""
    return cache.peek(_map_key(principal, area))


async def _build_map(
    session: AsyncSession, principal: Principal, area: Jurisdiction
) -> PileFeatureCollection:
    counts = await count_colours(session, principal, area, [])
    rows = await piles_repository.list_visible(session, principal, area_path=area.path)
    features = []
    for pile, community, station, operator in rows:
        location = pile_location(pile, station)
        features.append(
            PileFeature(
                id=pile.id or 0,
                geometry=PointGeometry(coordinates=(location.lng, location.lat))
                if location
                else None,
                properties={
                    "equipment_id": pile.equipment_id,
                    "operator_id": operator.operator_id,
                    "name": pile.name,
                    "colour": pile.colour,
                    "colour_since": pile.colour_since,
                    "colour_cause": pile.colour_cause,
                    "maintenance": pile.maintenance,
                    "community": community.code,
                    "community_name": community.name,
                    "station_id": station.station_id,
                    "power_kw": pile.power_kw,
                    "synthetic": station.synthetic,
                },
            )
        )
    return PileFeatureCollection(features=features, colour_counts=counts[area.path])
