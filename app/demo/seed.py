"""Seeding the Beixinjing demo into the registry, through the domain services.

The catalogue (`app.catalogue.beixinjing`: the report's facts plus labelled synthetic
stations) becomes jurisdictions, the operator and registry records here. Synthetic too (and
flagged so wherever it shows): every status until the State Grid simulator feeds real ones.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import city_principal
from app.catalogue.beixinjing import Facts, Station, demo_catalogue, jurisdictions
from app.core.config import Settings
from app.core.time import utc_now
from app.jurisdictions import service as jurisdictions_service
from app.models import JurisdictionLevel
from app.operators import service as operators_service
from app.piles import service as piles_service
from app.piles.schemas import ConnectorRecord, EquipmentRecord, StationRecord
from app.status import service as status_service
from app.status.schemas import StatusReport

SYNTHETIC_SOURCE = "synthetic-demo"


async def seed_demo(
    session: AsyncSession, settings: Settings, *, seed: int = 2022, statuses: bool = True
) -> None:
    """Load the demo hierarchy, operator, stations and piles; with `statuses`, give each
    connector a synthetic status (the State Grid simulator replaces them with real pushes)."""
    facts = Facts.load()
    await _seed_jurisdictions(session, facts)
    await operators_service.ensure_operator(
        session, operator_id=facts.operator.operator_id, name=facts.operator.name
    )
    for community, station in demo_catalogue(seed):
        await jurisdictions_service.ensure_jurisdiction(
            session,
            code=community.code,
            name=community.name,
            level=JurisdictionLevel.COMMUNITY,
            parent_code=community.street,
            synthetic=community.synthetic,
        )
        await piles_service.register_station(session, station_record(station))
    if statuses:
        await _synthetic_statuses(session, settings, facts, random.Random(seed))


async def _seed_jurisdictions(session: AsyncSession, facts: Facts) -> None:
    for item in jurisdictions(facts):
        await jurisdictions_service.ensure_jurisdiction(
            session,
            code=item.code,
            name=item.name,
            name_en=item.name_en,
            level=JurisdictionLevel(item.level),
            parent_code=item.parent,
            synthetic=item.synthetic,
        )


def station_record(station: Station) -> StationRecord:
    """A catalogue station as the registry takes it."""
    return StationRecord(
        operator_id=station.operator_id,
        station_id=station.station_id,
        name=station.name,
        jurisdiction_code=station.jurisdiction_code,
        area_code=station.area_code,
        address=station.address,
        station_type=station.station_type,
        station_status=station.station_status,
        construction=station.construction,
        park_nums=station.park_nums,
        lng_gcj02=station.lng_gcj02,
        lat_gcj02=station.lat_gcj02,
        synthetic=station.synthetic,
        equipment=[
            EquipmentRecord(
                equipment_id=equipment.equipment_id,
                name=equipment.name,
                equipment_type=equipment.equipment_type,
                power_kw=equipment.power_kw,
                lng_gcj02=equipment.lng_gcj02,
                lat_gcj02=equipment.lat_gcj02,
                connectors=[
                    ConnectorRecord(
                        connector_id=connector.connector_id,
                        name=connector.name,
                        connector_type=connector.connector_type,
                        power_kw=connector.power_kw,
                        voltage_upper=connector.voltage_upper,
                        voltage_lower=connector.voltage_lower,
                        current_a=connector.current_a,
                        national_standard=connector.national_standard,
                    )
                    for connector in equipment.connectors
                ],
            )
            for equipment in station.equipment
        ],
    )


async def _synthetic_statuses(
    session: AsyncSession, settings: Settings, facts: Facts, rng: random.Random
) -> None:
    """One status per connector that has none yet: mostly idle or charging, one fault
    (yellow) and one pile flagged for maintenance (red), so the board shows every colour."""
    principal = city_principal(settings.city_code)
    now = utc_now()
    page = await piles_service.list_all_piles(session, principal)
    reports: list[StatusReport] = []
    for index, pile in enumerate(page):
        for connector in pile.connectors:
            if connector.observed_at is not None:
                continue
            code = 255 if index == 9 else rng.choice([1, 1, 1, 2, 3, 3])
            reports.append(
                StatusReport(
                    operator_id=facts.operator_id,
                    connector_id=connector.connector_id,
                    code=code,
                    observed_at=now - timedelta(minutes=rng.randint(5, 600)),
                    received_at=now,
                    source=SYNTHETIC_SOURCE,
                )
            )
    if not reports:
        return
    await status_service.record_status_reports(session, reports, rules=settings.colour, now=now)
    await status_service.set_maintenance(
        session,
        principal,
        pile_id=page[14].id,
        flagged=True,
        note="synthetic: cable holder damaged, repair booked",
        rules=settings.colour,
    )
