"""SQL for stations, piles and connectors. Every read starts from `visible_to(principal)`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from app.auth import visibility
from app.auth.principal import Principal
from app.core.db import core_rows, execute, refresh_statistics
from app.core.time import utc_now
from app.models import Connector, ConnectorStatus, Jurisdiction, Operator, Pile, Station

PileRow = tuple[Pile, Jurisdiction, Station, Operator]


def visible_to(principal: Principal) -> Select[Pile, Jurisdiction, Station, Operator]:
    """Piles in the principal's area with their community, station and operator."""
    return (
        select(Pile, Jurisdiction, Station, Operator)
        .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
        .join(Station, col(Station.id) == Pile.station_pk)
        .join(Operator, col(Operator.id) == Pile.operator_pk)
        .where(col(Pile.jurisdiction_id).in_(visibility.visible_jurisdiction_ids(principal)))
    )


async def get_visible(session: AsyncSession, principal: Principal, pile_id: int) -> PileRow | None:
    result = await session.exec(visible_to(principal).where(Pile.id == pile_id))
    return result.first()


async def list_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    area_path: str,
    colour: str | None = None,
    community_id: int | None = None,
    after_id: int | None = None,
    limit: int | None = None,
) -> Sequence[PileRow]:
    statement = visible_to(principal).where(
        col(Pile.jurisdiction_id).in_(visibility.jurisdiction_ids_within(area_path))
    )
    if colour is not None:
        statement = statement.where(Pile.colour == colour)
    if community_id is not None:
        statement = statement.where(Pile.jurisdiction_id == community_id)
    if after_id is not None:
        statement = statement.where(col(Pile.id) > after_id)
    statement = statement.order_by(col(Pile.id))
    if limit is not None:
        statement = statement.limit(limit)
    result = await session.exec(statement)
    return result.all()


async def connectors_with_status(
    session: AsyncSession, pile_ids: Sequence[int]
) -> Sequence[tuple[Connector, ConnectorStatus | None]]:
    status = aliased(ConnectorStatus)
    result = await session.exec(
        select(Connector, status)
        .outerjoin(status, col(status.connector_pk) == Connector.id)
        .where(col(Connector.pile_pk).in_(pile_ids))
        .order_by(col(Connector.pile_pk), col(Connector.id))
    )
    return result.all()


async def get_visible_connector(
    session: AsyncSession, principal: Principal, connector_id: int
) -> Connector | None:
    result = await session.exec(
        select(Connector)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .where(Connector.id == connector_id)
        .where(col(Pile.jurisdiction_id).in_(visibility.visible_jurisdiction_ids(principal)))
    )
    return result.first()


async def get_station(session: AsyncSession, operator_pk: int, station_id: str) -> Station | None:
    result = await session.exec(
        select(Station).where(Station.operator_pk == operator_pk, Station.station_id == station_id)
    )
    return result.first()


async def piles_by_equipment_id(
    session: AsyncSession, operator_pk: int, equipment_ids: list[str]
) -> dict[str, Pile]:
    result = await session.exec(
        select(Pile).where(
            Pile.operator_pk == operator_pk, col(Pile.equipment_id).in_(equipment_ids)
        )
    )
    return {pile.equipment_id: pile for pile in result.all()}


async def connectors_by_connector_id(
    session: AsyncSession, operator_pk: int, connector_ids: list[str]
) -> dict[str, Connector]:
    result = await session.exec(
        select(Connector).where(
            Connector.operator_pk == operator_pk, col(Connector.connector_id).in_(connector_ids)
        )
    )
    return {connector.connector_id: connector for connector in result.all()}


async def add(session: AsyncSession, *rows: Operator | Station | Pile | Connector) -> None:
    session.add_all(rows)
    await session.flush()


async def colour_counts(
    session: AsyncSession, principal: Principal, area_path: str
) -> Sequence[tuple[str, str, int]]:
    """(jurisdiction path, colour, pile count) over the visible part of an area."""
    result = await session.exec(
        select(Jurisdiction.path, Pile.colour, func.count())
        .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
        .where(col(Pile.jurisdiction_id).in_(visibility.visible_jurisdiction_ids(principal)))
        .where(col(Pile.jurisdiction_id).in_(visibility.jurisdiction_ids_within(area_path)))
        .group_by(col(Jurisdiction.path), col(Pile.colour))
    )
    return result.all()


async def set_maintenance(
    session: AsyncSession, pile_id: int, *, flagged: bool, note: str | None
) -> None:
    await execute(
        session,
        update(Pile)
        .where(col(Pile.id) == pile_id)
        .values(maintenance=flagged, maintenance_note=note, updated_at=utc_now()),
    )


async def operator_pks(session: AsyncSession, operator_ids: Iterable[str]) -> dict[str, int]:
    """OperatorID -> primary key, for the operators among `operator_ids` the hub knows."""
    result = await session.exec(
        select(Operator.operator_id, col(Operator.id)).where(
            col(Operator.operator_id).in_(set(operator_ids))
        )
    )
    return {operator_id: pk for operator_id, pk in result.all() if pk is not None}


async def station_ids_of(session: AsyncSession, operator_pk: int) -> list[str]:
    """Every StationID the hub knows for an operator, in id order (Core rows: a status pull
    reads thousands)."""
    rows = await core_rows(
        session,
        select(Station.station_id)
        .where(Station.operator_pk == operator_pk)
        .order_by(col(Station.id)),
    )
    return [station_id for (station_id,) in rows]


# The tables a catalogue load grows, whose lookups by batch need fresh statistics.
REGISTRY_TABLES = ("jurisdiction", "station", "pile", "connector")


async def refresh_registry_statistics(session: AsyncSession) -> None:
    await refresh_statistics(session, REGISTRY_TABLES)
