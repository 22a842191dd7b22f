"""Writing a generated city through the real services: registry street by street, then
sessions day by day (rollups maintained on the way), each in its own transaction, so an
interrupted run resumes where it stopped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from app.core.config import EnergySettings
from app.core.db import Database
from app.energy import service as energy_service
from app.generate import repository
from app.generate.plan import (
    CITY,
    OPERATOR_ID,
    CityPlan,
    StreetPlan,
    connector_ids,
    day_of_seq,
    day_orders,
    streets,
)
from app.jurisdictions import service as jurisdictions_service
from app.models import JurisdictionLevel
from app.piles import service as piles_service
from app.sessions import service as sessions_service

Progress = Callable[[str, int], None]
"""Called with ("streets" | "days", how many more are done)."""

BATCH = 2000  # orders per record_charge_orders call


@dataclass(frozen=True, slots=True)
class Generated:
    streets_written: int
    days_written: int
    sessions_written: int
    resumed_from_day: int


async def generate_city(
    database: Database,
    plan: CityPlan,
    *,
    today: date,
    energy: EnergySettings,
    progress: Progress = lambda _kind, _n: None,
) -> Generated:
    async with database.session(write=True) as session:
        # Existing units (the demo's) keep their names: only missing ones are created.
        if await jurisdictions_service.find_jurisdiction(session, CITY) is None:
            await jurisdictions_service.ensure_jurisdiction(
                session, code=CITY, name="上海市", level=JurisdictionLevel.CITY, parent_code=None
            )
        await piles_service.ensure_operator(
            session, operator_id=OPERATOR_ID, name="synthetic city operator"
        )
    written = 0
    for street in streets(plan):
        if await _write_street(database, street):
            written += 1
        progress("streets", 1)
    connectors = connector_ids(plan)
    async with database.session() as session:
        seq = await repository.last_seq(session, OPERATOR_ID)
    start = 0 if seq is None else day_of_seq(seq) + 1
    progress("days", start)
    tou = energy_service.time_of_use(energy)
    first = plan.first_day(today)
    sessions = 0
    for index in range(start, plan.days):
        orders = day_orders(plan, connectors, index, first + timedelta(days=index))
        async with database.session(write=True) as session:
            for offset in range(0, len(orders), BATCH):
                await sessions_service.record_charge_orders(
                    session, orders[offset : offset + BATCH], tou=tou
                )
        sessions += len(orders)
        if (index + 1) & index == 0:  # after days 1, 2, 4, 8, ...: the tables doubled
            async with database.session(write=True) as session:
                await repository.refresh_statistics(session)
        progress("days", 1)
    return Generated(written, plan.days - start, sessions, start)


async def _write_street(database: Database, street: StreetPlan) -> bool:
    """The street, its communities and stations in one transaction; False if already there."""
    async with database.session(write=True) as session:
        if await jurisdictions_service.find_jurisdiction(session, street.street) is not None:
            return False
        if await jurisdictions_service.find_jurisdiction(session, street.district) is None:
            await jurisdictions_service.ensure_jurisdiction(
                session, code=street.district, name=f"合成区 {street.district}",
                level=JurisdictionLevel.DISTRICT, parent_code=CITY, synthetic=True,
            )  # fmt: skip
        await jurisdictions_service.ensure_jurisdiction(
            session, code=street.street, name=f"合成街道 {street.street}",
            level=JurisdictionLevel.STREET, parent_code=street.district, synthetic=True,
        )  # fmt: skip
        for code, station in street.communities:
            await jurisdictions_service.ensure_jurisdiction(
                session, code=code, name=f"合成小区 {code}", level=JurisdictionLevel.COMMUNITY,
                parent_code=street.street, synthetic=True,
            )  # fmt: skip
            await piles_service.register_station(session, station)
    return True
