"""Property: the rollups always equal a recomputation from the stored sessions, whatever
arrives (sessions across midnight and period edges, re-deliveries, corrections, batches)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import select

from app.core.config import EnergySettings
from app.core.db import Database
from app.core.time import LOCAL_TZ
from app.energy import repository, service
from app.models import ChargingSession
from app.sessions import service as sessions_service
from app.sessions.schemas import ChargeDetail, ChargeOrderRecord
from tests.fixtures.factories import OPERATOR, create_pile

pytestmark = pytest.mark.asyncio

# 20:30 local: the 22:00 valley edge, midnight and the 06:00 peak edge lie ahead.
T0 = datetime(2026, 11, 1, 20, 30, tzinfo=LOCAL_TZ)
NOW = T0 + timedelta(days=4)
TOU = service.time_of_use(EnergySettings())

# (connector index, start minute, duration minutes, energy share in ‰ of 7 kW, detail cuts)
order_strategy = st.tuples(
    st.integers(min_value=0, max_value=2),
    st.sampled_from([0, 30, 89, 90, 91, 209, 210, 211, 570, 571, 1000, 1290])
    | st.integers(0, 1500),
    st.sampled_from([0, 1, 30, 90, 600, 1440]) | st.integers(0, 2000),
    st.integers(min_value=0, max_value=1000),
    st.lists(st.integers(min_value=1, max_value=99), max_size=3, unique=True),
)
deliveries_strategy = st.lists(
    st.tuples(st.integers(min_value=0, max_value=4), order_strategy), min_size=1, max_size=12
)


def _order(connectors: list[str], seq: int, spec: tuple[Any, ...]) -> ChargeOrderRecord:
    connector, start_minute, minutes, permille, cuts = spec
    start = T0 + timedelta(minutes=start_minute)
    end = start + timedelta(minutes=minutes)
    energy = 7000 * minutes // 60 * permille // 1000 if minutes else 0
    details = []
    if cuts and minutes:
        # Details cut the session at the given percentages; energies add up exactly.
        edges = [start, *(start + (end - start) * c / 100 for c in sorted(cuts)), end]
        edges = [edge.replace(microsecond=0) for edge in edges]
        weights = [(b - a).total_seconds() for a, b in zip(edges, edges[1:], strict=False)]
        parts = [int(energy * w / sum(weights)) for w in weights] if sum(weights) else []
        if parts:
            parts[-1] += energy - sum(parts)
            details = [
                ChargeDetail(start=a, end=b, energy_wh=part)
                for a, b, part in zip(edges, edges[1:], parts, strict=False)
            ]
    return ChargeOrderRecord(
        operator_id=OPERATOR, start_charge_seq=f"P{seq}", connector_id=connectors[connector],
        start_at=start, end_at=end, energy_wh=energy, details=details,
    )  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(deliveries=deliveries_strategy, seed=st.integers(min_value=0, max_value=2**32 - 1))
async def test_rollups_equal_a_recomputation_from_sessions(
    database: Database, deliveries: list[tuple[int, tuple[Any, ...]]], seed: int
) -> None:
    async with database.session(write=True) as session:
        # Two connectors of one pile, and one in another street: a correction may move a
        # session to another connector, community and street.
        connectors = await create_pile(session, connectors=2)
        connectors += await create_pile(session, community="310105010001")
    rng = random.Random(seed)
    # Keys are made unique per example (the database is emptied only after the test).
    prefix = rng.randrange(10**9)
    orders = [_order(connectors, prefix * 10 + seq, spec) for seq, spec in deliveries]
    orders += rng.choices(orders, k=len(orders) // 2)  # re-deliveries of the same content
    rng.shuffle(orders)  # corrections land in any order
    while orders:
        size = rng.randint(1, 4)
        batch, orders = orders[:size], orders[size:]
        async with database.session(write=True) as session:
            await sessions_service.record_charge_orders(session, batch, now=NOW, tou=TOU)

    async with database.session() as session:
        rollups = await repository.all_rollups(session)
        expected = await service.recompute(session, tou=TOU)
        areas = await repository.all_area_rollups(session)
        expected_areas = await service.recompute_areas(session, tou=TOU)
        stored_wh, stored_count = (
            await session.exec(
                select(func.coalesce(func.sum(ChargingSession.energy_wh), 0), func.count())
            )
        ).one()
    assert rollups == expected
    assert areas == expected_areas
    # And independently of the cutting rules: nothing is lost or invented.
    assert sum(share.energy_wh for share in rollups.values()) == stored_wh
    assert sum(share.sessions for share in rollups.values()) == stored_count
