"""`pilehub worker` killed with SIGKILL while it delivers to a slow receiver, then restarted:
every event arrives, and a repeat only ever carries the same webhook-id and body."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from app.core.db import Database
from tests.fixtures.processes import ProcessGroup, subprocess_env, wait_for
from tests.webhooks.helpers import deliveries, hierarchy, log_events, subscribe
from tests.webhooks.receiver import Receiver, serving

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]
EVENTS = 60


async def test_a_killed_dispatcher_loses_nothing(
    client: httpx.AsyncClient, database: Database, tmp_path: Path
) -> None:
    await hierarchy(database)
    receiver = Receiver(delay=0.25)
    env = subprocess_env(
        PILEHUB_DATABASE_URL=database.url, PILEHUB_LOG_LEVEL="WARNING",
        PILEHUB_WEBHOOKS__ALLOWED_NETWORKS='["127.0.0.0/8"]', PILEHUB_WEBHOOKS__TIMEOUT="PT3S",
    )  # fmt: skip
    expected: list[int] = []
    async with serving(receiver) as base:
        await subscribe(client, f"{base}/hook")
        for subject in range(4):  # four subjects: four deliveries in flight at a time
            expected += await log_events(database, EVENTS // 4, subject=f"pile:{subject}")
        with ProcessGroup(tmp_path, env) as group:
            worker = group.start("worker", "worker")

            async def some_received() -> bool:
                return len(receiver.requests) >= 12

            await wait_for(some_received, what="deliveries to start", within=60, group=group)
            group.kill(worker)  # mid-delivery: four requests are waiting on the receiver
            assert len(receiver.requests) < EVENTS
            group.start("worker", "worker")

            async def all_delivered() -> bool:
                rows = await deliveries(database)
                return len(rows) == EVENTS and {row.state for row in rows} == {"delivered"}

            await wait_for(all_delivered, what="every delivery", within=90, group=group)
    bodies: dict[str, set[bytes]] = defaultdict(set)
    for request in receiver.requests:
        bodies[request.webhook_id].add(request.body)
    assert set(bodies) == {f"evt_{event_id}" for event_id in expected}
    assert all(len(seen) == 1 for seen in bodies.values())
