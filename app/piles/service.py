"""Registry use cases: register what operators report, list and read piles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.changelog import repository as events_repository
from app.changelog.events import event
from app.changelog.kinds import Kind
from app.core.pagination import PageParams, next_cursor
from app.core.time import utc_now
from app.geo import gcj02_to_wgs84
from app.jurisdictions import service as jurisdictions_service
from app.models import (
    Connector,
    ConnectorStatus,
    Jurisdiction,
    JurisdictionLevel,
    Pile,
    Station,
)
from app.models.states import Colour, ConnectorState, stored_cause
from app.operators import service as operators_service
from app.piles import repository
from app.piles.errors import NotACommunity, PileNotFound, UnknownOperator
from app.piles.repository import PileRow
from app.piles.schemas import (
    ConnectorPublic,
    ConnectorRecord,
    EquipmentRecord,
    JurisdictionRef,
    Location,
    PilePage,
    PilePublic,
    StationRecord,
    StationRef,
)


async def register_station(session: AsyncSession, record: StationRecord) -> Station:
    """Create or update a station with its piles and connectors (idempotent upsert)."""
    operator = await operators_service.find_operator(session, record.operator_id)
    if operator is None or operator.id is None:
        raise UnknownOperator(f"Operator {record.operator_id} is not onboarded.")
    require_jurisdiction = jurisdictions_service.require_jurisdiction
    jurisdiction = await require_jurisdiction(session, record.jurisdiction_code)
    station = await repository.get_station(session, operator.id, record.station_id)
    if station is not None:
        # Feeds place a station only by its district (T/CEC AreaCode); a community the hub
        # already placed it in, inside that district, is kept.
        jurisdiction = await jurisdictions_service.narrower_of(
            session, jurisdiction, station.jurisdiction_id
        )
    station = _upsert_row(
        Station,
        station,
        {
            **_sent(record, station, exclude={"operator_id", "jurisdiction_code", "equipment"}),
            "operator_pk": operator.id,
            "jurisdiction_id": _id(jurisdiction),
            "updated_at": utc_now(),
        },
    )
    await repository.add(session, station)
    piles = await repository.piles_by_equipment_id(
        session, operator.id, [e.equipment_id for e in record.equipment]
    )
    for equipment in record.equipment:
        pile = await _register_pile(
            session, operator.id, station, piles.get(equipment.equipment_id), equipment
        )
        await _register_connectors(session, operator.id, _id(pile), equipment.connectors)
    await events_repository.insert(
        session,
        [
            event(
                Kind.REGISTRY_STATION,
                subject=f"station:{station.id}",
                area_path=jurisdiction.path,
                payload={"station_id": record.station_id, "piles": len(record.equipment)},
                occurred_at=utc_now(),
            )
        ],
    )
    return station


async def _register_pile(
    session: AsyncSession,
    operator_pk: int,
    station: Station,
    pile: Pile | None,
    record: EquipmentRecord,
) -> Pile:
    jurisdiction_id = station.jurisdiction_id
    if pile is not None:
        placed = await jurisdictions_service.require_jurisdiction_id(session, jurisdiction_id)
        jurisdiction_id = _id(
            await jurisdictions_service.narrower_of(session, placed, pile.jurisdiction_id)
        )
    if record.jurisdiction_code:
        community = await jurisdictions_service.require_jurisdiction(
            session, record.jurisdiction_code
        )
        jurisdiction_id = _id(community)
    pile = _upsert_row(
        Pile,
        pile,
        {
            **_sent(record, pile, exclude={"connectors", "jurisdiction_code"}),
            "operator_pk": operator_pk,
            "station_pk": _id(station),
            "jurisdiction_id": jurisdiction_id,
            "updated_at": utc_now(),
        },
    )
    await repository.add(session, pile)
    return pile


async def _register_connectors(
    session: AsyncSession, operator_pk: int, pile_pk: int, records: list[ConnectorRecord]
) -> None:
    existing = await repository.connectors_by_connector_id(
        session, operator_pk, [r.connector_id for r in records]
    )
    for record in records:
        connector = existing.get(record.connector_id)
        connector = _upsert_row(
            Connector,
            connector,
            {**_sent(record, connector), "operator_pk": operator_pk, "pile_pk": pile_pk},
        )
        await repository.add(session, connector)


_Row = TypeVar("_Row", Station, Pile, Connector)


def _sent(
    record: BaseModel,
    existing: Station | Pile | Connector | None,
    *,
    exclude: set[str] | None = None,
) -> dict[str, Any]:
    """The record's fields to write: all of them for a new row (defaults for what was not
    sent), only those the sender set for a stored one. T/CEC optional fields arrive unset when
    absent (app/ingest/mapper.py), and `synthetic` is the hub's own label that no
    operator sends: a catalogue pull must not reset what it did not mention."""
    return record.model_dump(exclude=exclude, exclude_unset=existing is not None)


def _upsert_row(model: type[_Row], existing: _Row | None, fields: dict[str, Any]) -> _Row:
    if existing is None:
        return model(**fields)
    for name, value in fields.items():
        setattr(existing, name, value)
    return existing


def _id(row: Station | Pile | Jurisdiction) -> int:
    assert row.id is not None, "row must be flushed"
    return row.id


async def list_piles(
    session: AsyncSession,
    principal: Principal,
    *,
    area: str | None,
    colour: Colour | None,
    community: str | None,
    page: PageParams,
) -> PilePage:
    """List piles in an area, optionally by colour or community, in id order."""
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    community_id = None
    if community is not None:
        community_row = await jurisdictions_service.get_visible_area(session, principal, community)
        if community_row.level != JurisdictionLevel.COMMUNITY:
            raise NotACommunity(f"{community} is a {community_row.level}; use `area` for it.")
        community_id = _id(community_row)
    rows = await repository.list_visible(
        session,
        principal,
        area_path=area_row.path,
        colour=colour.value if colour else None,
        community_id=community_id,
        after_id=page.after_id,
        limit=page.fetch_limit,
    )
    shown, more = page.cut(rows)
    items = await _public(session, shown)
    return PilePage(items=items, next_cursor=next_cursor(items[-1].id if items else None, more))


async def get_pile(session: AsyncSession, principal: Principal, *, pile_id: int) -> PilePublic:
    """Get one pile with its connectors and their current status."""
    row = await repository.get_visible(session, principal, pile_id)
    if row is None:
        raise PileNotFound(f"No pile {pile_id} in your area.")
    (pile,) = await _public(session, [row])
    return pile


async def connectors_of(
    session: AsyncSession, pile_ids: Sequence[int]
) -> dict[int, list[ConnectorPublic]]:
    """The connectors of these (already authorised) piles with their status, in one query."""
    connectors: dict[int, list[ConnectorPublic]] = defaultdict(list)
    for connector, status in await repository.connectors_with_status(session, pile_ids):
        connectors[connector.pile_pk].append(_connector_public(connector, status))
    return connectors


async def _public(session: AsyncSession, rows: Sequence[PileRow]) -> list[PilePublic]:
    connectors = await connectors_of(session, [_id(pile) for pile, *_ in rows])
    return [
        PilePublic(
            id=_id(pile),
            operator_id=operator.operator_id,
            equipment_id=pile.equipment_id,
            name=pile.name,
            equipment_type=pile.equipment_type,
            power_kw=pile.power_kw,
            colour=Colour(pile.colour),
            colour_since=pile.colour_since,
            colour_cause=stored_cause(pile.colour_cause),
            maintenance=pile.maintenance,
            community=JurisdictionRef(
                code=community.code, name=community.name, level=community.level
            ),
            station=StationRef(id=_id(station), station_id=station.station_id, name=station.name),
            location=pile_location(pile, station),
            synthetic=station.synthetic,
            connectors=connectors[_id(pile)],
        )
        for pile, community, station, operator in rows
    ]


def _connector_public(connector: Connector, status: ConnectorStatus | None) -> ConnectorPublic:
    assert connector.id is not None
    return ConnectorPublic(
        id=connector.id,
        connector_id=connector.connector_id,
        name=connector.name,
        connector_type=connector.connector_type,
        power_kw=connector.power_kw,
        status=ConnectorState(status.status) if status else ConnectorState.UNKNOWN,
        raw_code=status.raw_code if status else None,
        status_since=status.since if status else None,
        observed_at=status.observed_at if status else None,
        received_at=status.received_at if status else None,
        source=status.source if status else None,
    )


def pile_location(pile: Pile, station: Station) -> Location | None:
    """WGS84 position of the pile, falling back to its station's."""
    lng, lat = pile.lng_gcj02, pile.lat_gcj02
    if lng is None or lat is None:
        lng, lat = station.lng_gcj02, station.lat_gcj02
    if lng is None or lat is None:
        return None
    wgs_lng, wgs_lat = gcj02_to_wgs84(lng, lat)
    return Location(lng=round(wgs_lng, 6), lat=round(wgs_lat, 6))


async def list_all_piles(session: AsyncSession, principal: Principal) -> list[PilePublic]:
    """Every pile the principal may see, in id order (for seeding and small areas)."""
    rows = await repository.list_visible(session, principal, area_path=principal.area_path)
    return await _public(session, rows)


async def station_ids_of(session: AsyncSession, operator_pk: int) -> list[str]:
    """The StationIDs registered for an operator (what the hub asks it about)."""
    return await repository.station_ids_of(session, operator_pk)


async def refresh_registry_statistics(session: AsyncSession) -> None:
    """After registering many stations at once (a catalogue pull, a generated city): let
    the database plan the next batches' lookups with the registry's real size."""
    await repository.refresh_registry_statistics(session)
