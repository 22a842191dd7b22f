"""Property: the current state is the same whatever the arrival order and duplication."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import col, select

from app.core.config import ColourRules
from app.core.db import Database
from app.models import Connector, ConnectorStatus, StatusChange
from app.status import service
from app.status.codes import SEVERITY, TCEC_STATES
from app.status.schemas import StatusReport
from tests.fixtures.factories import OPERATOR, create_pile

pytestmark = pytest.mark.asyncio

T0 = datetime(2026, 11, 1, tzinfo=UTC)
CODES = sorted(TCEC_STATES)
reports_strategy = st.lists(
    st.tuples(st.integers(min_value=0, max_value=30), st.sampled_from(CODES)),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(reports=reports_strategy, seed=st.integers(min_value=0, max_value=2**32 - 1))
async def test_state_is_independent_of_arrival_order_and_duplicates(
    database: Database, reports: list[tuple[int, int]], seed: int
) -> None:
    async with database.session(write=True) as session:
        (cid,) = await create_pile(session)
    rng = random.Random(seed)
    deliveries = [
        StatusReport(
            operator_id=OPERATOR,
            connector_id=cid,
            code=code,
            observed_at=T0 + timedelta(minutes=minute),
        )
        for minute, code in reports
    ]
    deliveries += rng.choices(deliveries, k=len(deliveries) // 2)  # re-deliveries
    rng.shuffle(deliveries)
    while deliveries:
        size = rng.randint(1, 6)
        batch, deliveries = deliveries[:size], deliveries[size:]
        async with database.session(write=True) as session:
            await service.record_status_reports(session, batch, rules=ColourRules())

    newest = max(reports, key=lambda r: (r[0], SEVERITY[TCEC_STATES[r[1]]]))
    async with database.session() as session:
        state = (
            await session.exec(
                select(ConnectorStatus)
                .join(Connector, col(Connector.id) == ConnectorStatus.connector_pk)
                .where(Connector.connector_id == cid)
            )
        ).one()
        duplicated = (
            await session.exec(
                select(func.count())
                .select_from(StatusChange)
                .where(StatusChange.connector_pk == state.connector_pk)
                .group_by(col(StatusChange.observed_at), col(StatusChange.status))
                .having(func.count() > 1)
            )
        ).all()
    assert state.status == TCEC_STATES[newest[1]].value
    assert state.observed_at == T0 + timedelta(minutes=newest[0])
    assert duplicated == []
