"""WeCom group robots over real HTTP: the alert message, errcode as failure, and digests that
keep a burst under 20 messages a minute without dropping an alert."""

from __future__ import annotations

import functools
import re
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest

from app.core.db import Database
from app.webhooks.dispatcher import Dispatcher
from tests.alerts.helpers import record
from tests.status.helpers import new_pile, report
from tests.webhooks.conftest import FakeClock
from tests.webhooks.helpers import (
    COMMUNITY,
    WECOM_OK,
    content,
    deliveries,
    hierarchy,
    log_events,
    robot,
    run_until_quiet,
)
from tests.webhooks.receiver import Answer, Received, Receiver, serving

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_fault_reaches_the_communitys_robot_as_markdown_with_a_link(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    (connector,) = await new_pile(database)  # in 新泾三村 (310105011001)
    receiver = Receiver(answer=lambda _request: WECOM_OK)
    async with serving(receiver) as base:
        await robot(client, base)
        await record(database, report(connector, 255))  # faulted: yellow, an alert opens
        await run_until_quiet(dispatcher, database, clock)
    (request,) = receiver.requests
    assert request.path == "/cgi-bin/webhook/send"
    text = content(request)
    pile_id = (await client.get("/v1/piles")).json()["items"][0]["id"]
    assert "新泾三村" in text
    assert f"{connector[:-1]}" in text  # the pile's EquipmentID
    assert "yellow" in text
    assert "2026-11-01 16:00" in text  # since when, Shanghai time (08:00 UTC)
    assert f"/v1/piles/{pile_id})" in text


async def test_a_nonzero_errcode_is_a_failure_and_is_retried(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    await hierarchy(database)
    refusals = [b'{"errcode":93000,"errmsg":"invalid webhook url"}']

    def answer(_request: Received) -> Answer:
        return (200, {}, refusals.pop()) if refusals else WECOM_OK

    receiver = Receiver(answer=answer)
    async with serving(receiver) as base:
        await robot(client, base)
        await log_events(database, 1, kind="alert.opened", payload=_alert)
        await dispatcher.run_once()
        (row,) = await deliveries(database)
        assert (row.state, row.last_status, row.last_error) == ("pending", 200, "errcode 93000")
        await run_until_quiet(dispatcher, database, clock, step=10)
    (row,) = await deliveries(database)
    assert (row.state, row.attempts) == ("delivered", 2)
    assert len(receiver.requests) == 2


def _alert_after(offset: int, n: int) -> dict[str, Any]:
    return _alert(offset + n)


def _alert(n: int) -> dict[str, Any]:
    return {"alert_id": n, "pile_id": n, "equipment_id": f"EQ{n:05d}", "community": COMMUNITY,
            "severity": "red" if n % 3 == 0 else "yellow", "cause": "fault", "state": "open",
            "opened_at": "2026-11-27T01:00:00+00:00"}  # fmt: skip


@pytest.mark.parametrize("arrival", ["all at once", "one a second"])
async def test_a_burst_of_100_alerts_becomes_digests_at_most_20_a_minute(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock,
    arrival: str,
) -> None:  # fmt: skip
    await hierarchy(database)
    receiver = Receiver(answer=lambda _request: WECOM_OK)
    sent_at: list[float] = []  # the (simulated) time of each message
    async with serving(receiver) as base:
        await robot(client, base)
        logged = 0
        for _ in range(600):
            if logged < 100:
                batch = 100 if arrival == "all at once" else 1
                await log_events(database, batch, kind="alert.opened",
                                 payload=functools.partial(_alert_after, logged))  # fmt: skip
                logged += batch
            before = len(receiver.requests)
            await dispatcher.run_once()
            sent_at += [clock().timestamp()] * (len(receiver.requests) - before)
            clock.advance(timedelta(seconds=1))
            if logged == 100 and {d.state for d in await deliveries(database)} == {"delivered"}:
                break
    assert len(await deliveries(database)) == 100
    assert {d.state for d in await deliveries(database)} == {"delivered"}
    for start in sent_at:  # every sliding minute
        assert sum(1 for t in sent_at if start <= t < start + 60) <= 20
    mentioned = [m for r in receiver.requests for m in re.findall(r"EQ\d{5}", content(r))]
    assert sorted(mentioned) == sorted(f"EQ{n:05d}" for n in range(100))  # each exactly once
    assert len(receiver.requests) < 100
    assert any("Alert digest" in content(r) for r in receiver.requests)
    assert all(orjson.loads(r.body)["msgtype"] == "markdown" for r in receiver.requests)
