"""Group commit: concurrent pushes share transactions and each gets its own results."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.core.config import ColourRules
from app.core.db import Database
from app.models import ChangeEvent, StatusChange
from app.status.batcher import PendingReports, StatusBatcher
from app.status.schemas import Outcome, StatusReport
from tests.fixtures.factories import OPERATOR, create_pile

pytestmark = pytest.mark.asyncio

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def report(connector_id: str, code: int, minute: int) -> StatusReport:
    return StatusReport(
        operator_id=OPERATOR,
        connector_id=connector_id,
        code=code,
        observed_at=T0 + timedelta(minutes=minute),
    )


class CountingBatcher(StatusBatcher):
    def __init__(self, database: Database, rules: ColourRules) -> None:
        super().__init__(database, rules)
        self.batches: list[int] = []

    async def _write(self, batch: list[PendingReports]) -> None:
        self.batches.append(len(batch))
        await super()._write(batch)


async def test_concurrent_pushes_are_written_in_few_batches_with_their_own_results(
    database: Database,
) -> None:
    async with database.session(write=True) as session:
        connectors = [c for _ in range(10) for c in await create_pile(session)]
    batcher = CountingBatcher(database, ColourRules())
    batches = batcher.batches
    pushes = [[report(c, 3, 1)] for c in connectors] + [[report("NOPE", 1, 1)]]
    results = await asyncio.gather(*(batcher.record(p) for p in pushes))
    assert [r[0].outcome for r in results[:-1]] == [Outcome.CHANGED] * 10
    assert results[-1][0].outcome is Outcome.REJECTED
    assert sum(batches) == 11
    assert len(batches) < 11  # grouped, not one transaction per push
    async with database.session() as session:
        assert (await session.exec(select(func.count()).select_from(StatusChange))).one() == 10


async def test_a_failed_batch_fails_every_push_in_it_and_stores_nothing(
    database: Database,
) -> None:
    async with database.session(write=True) as session:
        (cid,) = await create_pile(session)
    async with database.session() as session:
        events = (await session.exec(select(func.count()).select_from(ChangeEvent))).one()
    broken = Database(database.url.replace("pilehub", "pilehub-missing", 1))
    batcher = StatusBatcher(broken, ColourRules())
    outcomes = await asyncio.gather(
        batcher.record([report(cid, 3, 1)]),
        batcher.record([report(cid, 1, 2)]),
        return_exceptions=True,
    )
    await broken.dispose()
    assert all(isinstance(o, Exception) for o in outcomes)
    async with database.session() as session:
        assert (await session.exec(select(func.count()).select_from(StatusChange))).one() == 0
        assert (await session.exec(select(func.count()).select_from(ChangeEvent))).one() == events
