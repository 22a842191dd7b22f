"""Rebuilding the rollups from sessions, e.g. after the periods changed."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from app.core.config import EnergySettings, TouWindow
from app.core.db import Database
from app.core.time import LOCAL_TZ
from app.energy import repository, service
from tests.energy.helpers import charge
from tests.fixtures.factories import create_pile

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_rebuild_with_new_periods_matches_a_recomputation(database: Database) -> None:
    async with database.session(write=True) as session:
        (cid,) = await create_pile(session)
    await charge(database, cid, datetime(2026, 11, 2, 21, tzinfo=LOCAL_TZ), 4, 12000)
    three = EnergySettings(
        time_of_use=(
            TouWindow(name="valley", start=time(0)),
            TouWindow(name="peak", start=time(8)),
            TouWindow(name="flat", start=time(21, 30)),
        )
    )
    tou = service.time_of_use(three)
    async with database.session(write=True) as session:
        assert await service.rebuild_rollups(session, tou=tou) == 3
    async with database.session() as session:
        rollups = await repository.all_rollups(session)
        assert rollups == await service.recompute(session, tou=tou)
    assert {(key[2], share.energy_wh) for key, share in rollups.items()} == {
        ("peak", 1500), ("flat", 7500), ("valley", 3000)
    }  # fmt: skip
