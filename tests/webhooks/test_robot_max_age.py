"""PILEHUB_WEBHOOKS__ROBOT_MAX_AGE: a group robot is not told of alert changes that were already
old when the hub logged them (an operator's backfilled history), while webhooks still are."""

from __future__ import annotations

import functools
import random
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from app.core.config import Settings
from app.core.db import Database
from app.webhooks.dispatcher import Dispatcher
from tests.webhooks.conftest import FakeClock
from tests.webhooks.helpers import (
    COMMUNITY,
    deliveries,
    hierarchy,
    log_events,
    run_until_quiet,
    subscribe,
)
from tests.webhooks.receiver import Answer, Receiver, serving

pytestmark = pytest.mark.asyncio(loop_scope="session")
WECOM_OK: Answer = (200, {"content-type": "application/json"}, b'{"errcode":0,"errmsg":"ok"}')


def _payload(n: int, times: dict[str, datetime], _index: int) -> dict[str, Any]:
    return {"alert_id": n, "pile_id": n, "equipment_id": f"EQ{n:05d}", "community": COMMUNITY,
            "severity": "yellow", "cause": "fault", "state": "open",
            **{key: value.isoformat() for key, value in times.items()}}  # fmt: skip


async def test_a_robot_skips_alert_changes_older_than_its_max_age_webhooks_do_not(
    client: httpx.AsyncClient, database: Database, settings: Settings, clock: FakeClock
) -> None:
    hooks = settings.webhooks.model_copy(update={"robot_max_age": timedelta(hours=1)})
    dispatcher = Dispatcher(
        database, settings.model_copy(update={"webhooks": hooks}), clock=clock,
        rng=random.Random(7),
    )  # fmt: skip
    await hierarchy(database)
    now, old = clock(), clock() - timedelta(days=3)
    receiver = Receiver(answer=lambda _request: WECOM_OK)
    try:
        async with serving(receiver) as base:
            url = f"{base}/cgi-bin/webhook/send?key=robot-key"
            response = await client.post(
                "/v1/channels", json={"url": url, "area": COMMUNITY, "alert_kinds": ["alert.*"]}
            )
            assert response.status_code == 201, response.text
            robot = response.json()["id"]
            hook = (await subscribe(client, f"{base}/hook", ["alert.*"], area=COMMUNITY))["id"]
            cases: list[tuple[str, dict[str, datetime], bool]] = [
                ("alert.opened", {"since": old, "opened_at": old}, False),  # replayed history
                ("alert.opened", {"opened_at": old}, False),  # logged without `since`
                ("alert.resolved", {"since": old, "opened_at": old}, False),
                ("alert.opened", {"since": now, "opened_at": now}, True),  # news
                # an escalation now of an alert opened days ago is news
                ("alert.escalated", {"since": now - timedelta(minutes=59), "opened_at": old}, True),
                ("alert.resolved", {"opened_at": old}, True),  # no `since`: when it was logged
            ]
            for n, (kind, times, _) in enumerate(cases):
                await log_events(
                    database, 1, kind=kind, subject=f"alert:{n}",
                    payload=functools.partial(_payload, n, times),
                )  # fmt: skip
            await run_until_quiet(dispatcher, database, clock)
    finally:
        await dispatcher.aclose()
    rows = await deliveries(database)
    to_robot = sorted(d.subject for d in rows if d.endpoint_id == robot)
    assert to_robot == sorted(f"alert:{n}" for n, (*_, news) in enumerate(cases) if news)
    assert {d.state for d in rows} == {"delivered"}
    assert len([d for d in rows if d.endpoint_id == hook]) == len(cases)  # webhooks: all
    said = " ".join(r.body.decode() for r in receiver.requests if "webhook/send" in r.path)
    assert "EQ00003" in said
    assert "EQ00000" not in said
