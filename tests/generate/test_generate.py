"""`pilehub generate city`'s loader: interrupted mid-way and run again, it ends with exactly
the planned sessions, none twice, and rollups equal to a recomputation from them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.core.config import EnergySettings
from app.core.db import Database
from app.energy import repository, service
from app.generate.loader import generate_city
from app.generate.plan import CityPlan, connector_ids, day_sessions, sessions_on
from app.models import ChargingSession, Connector

pytestmark = pytest.mark.asyncio(loop_scope="session")

PLAN = CityPlan(connectors=80, districts=2, streets=2, days=4, sessions=203, seed=7,
                last_day=date(2026, 10, 31))  # fmt: skip
TODAY = date(2026, 11, 27)
ENERGY = EnergySettings()


class Interrupted(Exception):
    pass


async def test_an_interrupted_run_resumes_to_the_exact_plan(database: Database) -> None:
    def stop_after_two_days(kind: str, n: int) -> None:
        done["days"] += n if kind == "days" else 0
        if done["days"] == 2:
            raise Interrupted

    done = {"days": 0}
    with pytest.raises(Interrupted):
        await generate_city(database, PLAN, today=TODAY, energy=ENERGY,
                            progress=stop_after_two_days)  # fmt: skip
    async with database.session() as session:
        half = (await session.exec(select(func.count()).select_from(ChargingSession))).one()
    assert half == sessions_on(PLAN, 0) + sessions_on(PLAN, 1)

    resumed = await generate_city(database, PLAN, today=TODAY, energy=ENERGY)
    assert (resumed.resumed_from_day, resumed.days_written) == (2, 2)
    assert resumed.streets_written == 0

    await _check_complete(database)


async def test_disjoint_day_ranges_make_the_same_city(database: Database) -> None:
    later = await generate_city(database, PLAN, today=TODAY, energy=ENERGY,
                                day_indexes=range(2, 4))  # fmt: skip
    assert (later.resumed_from_day, later.days_written) == (2, 2)
    earlier = await generate_city(database, PLAN, today=TODAY, energy=ENERGY,
                                  day_indexes=range(0, 2))  # fmt: skip
    assert (earlier.resumed_from_day, earlier.days_written) == (0, 2)
    again = await generate_city(database, PLAN, today=TODAY, energy=ENERGY)
    assert (again.resumed_from_day, again.days_written) == (4, 0)
    await _check_complete(database)


async def _check_complete(database: Database) -> None:
    async with database.session() as session:
        seqs = (await session.exec(select(ChargingSession.start_charge_seq))).all()
        connectors = (await session.exec(select(func.count()).select_from(Connector))).one()
        tou = service.time_of_use(ENERGY)
        rollups = await repository.all_rollups(session)
        assert rollups == await service.recompute(session, tou=tou)
        areas = await repository.all_area_rollups(session)
        assert areas == await service.recompute_areas(session, tou=tou)
    ids = connector_ids(PLAN)
    first = PLAN.first_day(TODAY)
    planned = [
        g.start_charge_seq
        for index in range(PLAN.days)
        for g in day_sessions(PLAN, ids, index, first + timedelta(days=index))
    ]
    assert sorted(seqs) == sorted(planned)
    assert len(planned) == PLAN.sessions
    assert connectors == len(ids) == PLAN.connectors
    assert sum(share.sessions for share in rollups.values()) == PLAN.sessions
