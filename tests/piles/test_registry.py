"""Registering what operators report: idempotent upserts that keep the hub's placement."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from app.core.db import Database
from app.jurisdictions import service as jurisdictions_service
from app.models import ChangeEvent, Connector, Jurisdiction, JurisdictionLevel, Pile, Station
from app.piles import service
from app.piles.errors import UnknownOperator
from app.piles.schemas import ConnectorRecord, EquipmentRecord, StationRecord
from tests.fixtures.factories import OPERATOR, create_hierarchy

pytestmark = pytest.mark.asyncio


def station(jurisdiction_code: str, *, connectors: int = 1) -> StationRecord:
    return StationRecord(
        operator_id=OPERATOR,
        station_id="310105MA002TMQX0100",
        name="registry test",
        jurisdiction_code=jurisdiction_code,
        area_code="310105",
        equipment=[
            EquipmentRecord(
                equipment_id="310105MA002TMQX010001",
                power_kw=7.0,
                connectors=[
                    ConnectorRecord(connector_id=f"310105MA002TMQX010001{c}", power_kw=7.0)
                    for c in range(1, connectors + 1)
                ],
            )
        ],
    )


async def placement(database: Database) -> tuple[str, str]:
    async with database.session() as session:
        station_code = (
            await session.exec(
                select(Jurisdiction.code).join(
                    Station, col(Station.jurisdiction_id) == Jurisdiction.id
                )
            )
        ).one()
        pile_code = (
            await session.exec(
                select(Jurisdiction.code).join(Pile, col(Pile.jurisdiction_id) == Jurisdiction.id)
            )
        ).one()
    return station_code, pile_code


async def test_reregistering_is_idempotent_and_logs_each_registration(database: Database) -> None:
    async with database.session(write=True) as session:
        await create_hierarchy(session)
        await service.register_station(session, station("310105011001", connectors=2))
    async with database.session(write=True) as session:
        await service.register_station(session, station("310105011001", connectors=2))
    async with database.session() as session:
        assert (await session.exec(select(func.count()).select_from(Pile))).one() == 1
        assert (await session.exec(select(func.count()).select_from(Connector))).one() == 2
        kinds = (await session.exec(select(ChangeEvent.kind))).all()
    assert kinds.count("registry.station") == 2


async def test_a_feed_placing_by_district_keeps_the_community(database: Database) -> None:
    async with database.session(write=True) as session:
        await create_hierarchy(session)
        await service.register_station(session, station("310105011001"))
    async with database.session(write=True) as session:
        await service.register_station(session, station("310105"))
    assert await placement(database) == ("310105011001", "310105011001")


async def test_a_feed_moving_the_station_elsewhere_moves_it(database: Database) -> None:
    async with database.session(write=True) as session:
        await create_hierarchy(session)
        await jurisdictions_service.ensure_jurisdiction(
            session,
            code="310104",
            name="徐汇区",
            level=JurisdictionLevel.DISTRICT,
            parent_code="310000",
        )
        await service.register_station(session, station("310105011001"))
    async with database.session(write=True) as session:
        await service.register_station(session, station("310104"))
    assert await placement(database) == ("310104", "310104")


async def test_an_update_writes_only_the_fields_it_sends(database: Database) -> None:
    """A feed's record leaves out what the operator did not send (the mapper builds records
    from present fields only); a stored row keeps those, and takes every field that was sent."""
    labelled = station("310105011001").model_copy(
        update={"synthetic": True, "lng_gcj02": 121.37, "lat_gcj02": 31.22}
    )
    async with database.session(write=True) as session:
        await create_hierarchy(session)
        await service.register_station(session, labelled)
    fed = StationRecord(
        operator_id=OPERATOR, station_id=labelled.station_id, name="renamed by the operator",
        jurisdiction_code="310105", area_code="310105",
        equipment=[EquipmentRecord(equipment_id="310105MA002TMQX010001", power_kw=11.0,
                                   connectors=[ConnectorRecord(connector_id="310105MA002TMQX0100011",
                                                               power_kw=11.0)])],
    )  # fmt: skip
    async with database.session(write=True) as session:
        await service.register_station(session, fed)
    async with database.session() as session:
        stored = (await session.exec(select(Station))).one()
        pile = (await session.exec(select(Pile))).one()
    assert (stored.name, stored.synthetic) == ("renamed by the operator", True)
    assert (stored.lng_gcj02, stored.lat_gcj02) == (121.37, 31.22)
    assert pile.power_kw == 11.0


async def test_unknown_operator_is_refused(database: Database) -> None:
    async with database.session(write=True) as session:
        await create_hierarchy(session)
        record = station("310105011001").model_copy(update={"operator_id": "UNKNOWN00"})
        with pytest.raises(UnknownOperator):
            await service.register_station(session, record)
