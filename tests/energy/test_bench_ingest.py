"""bench/energy.py's ingest step takes its sessions out again: a city measured with
`--existing` is left as it was found (sessions, events, rollups), and sessions left by a run
from before that are removed before the measurement (they would have been duplicates)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.core.config import EnergySettings
from app.core.db import Database
from app.energy import repository, service
from app.generate.loader import generate_city
from app.generate.plan import CityPlan, connector_ids, day_orders
from app.models import ChangeEvent, ChargingSession
from app.sessions.service import record_charge_orders
from bench.energy import INGEST_DAY_INDEX, ingest

pytestmark = pytest.mark.asyncio(loop_scope="session")

PLAN = CityPlan(connectors=80, districts=2, streets=2, days=3, sessions=150, seed=7,
                last_day=date(2026, 10, 31))  # fmt: skip
TODAY = date(2026, 11, 27)
ENERGY = EnergySettings()
INGEST = 300


async def state(database: Database) -> dict[str, Any]:
    async with database.session() as session:
        seqs = (await session.exec(select(ChargingSession.start_charge_seq))).all()
        events = (await session.exec(select(func.count()).select_from(ChangeEvent))).one()
        return {
            "sessions": sorted(seqs),
            "events": events,
            "rollups": await repository.all_rollups(session),
            "areas": await repository.all_area_rollups(session),
        }


async def test_the_ingest_step_leaves_the_city_as_it_found_it(database: Database) -> None:
    await generate_city(database, PLAN, today=TODAY, energy=ENERGY)
    found = await state(database)

    rates = await ingest(database.url, PLAN, INGEST, TODAY)

    assert rates["service_per_s"] > 0
    assert rates["leftovers"] == 0
    assert await state(database) == found


async def test_sessions_an_older_run_left_are_removed_first(database: Database) -> None:
    await generate_city(database, PLAN, today=TODAY, energy=ENERGY)
    found = await state(database)
    # What the bench's ingest step wrote before it cleaned up after itself.
    fresh = CityPlan(connectors=PLAN.connectors, districts=PLAN.districts, streets=PLAN.streets,
                     days=1, sessions=INGEST, seed=PLAN.seed + 1)  # fmt: skip
    orders = day_orders(fresh, connector_ids(PLAN), INGEST_DAY_INDEX, PLAN.end_day(TODAY))
    async with database.session(write=True) as session:
        await record_charge_orders(session, orders, tou=service.time_of_use(ENERGY))
    assert len((await state(database))["sessions"]) == len(found["sessions"]) + INGEST

    rates = await ingest(database.url, PLAN, INGEST, TODAY)

    assert rates["leftovers"] == INGEST
    assert await state(database) == found
