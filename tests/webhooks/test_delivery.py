"""Webhook delivery over real HTTP to a loopback receiver, on a clock the test moves:
signatures, rotation, outages, redirects, 410, Retry-After, dead letters, replay, order."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from app.core.config import Settings
from app.core.db import Database
from app.webhooks.dispatcher import Dispatcher
from app.webhooks.signing import new_secret
from tests.webhooks.conftest import FakeClock
from tests.webhooks.helpers import (
    COMMUNITY,
    OTHER_PATH,
    deliveries,
    hierarchy,
    log_events,
    run_until_quiet,
    subscribe,
)
from tests.webhooks.receiver import Answer, Received, Receiver, serving

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _sample(client: httpx.AsyncClient, prefix: str) -> float:
    text = (await client.get("/metrics")).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(prefix))  # fmt: skip


def always(status: int, headers: dict[str, str] | None = None) -> Receiver:
    return Receiver(answer=lambda _request: (status, headers or {}, b""))


async def test_deliveries_are_signed_for_standardwebhooks_and_only_what_was_asked(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    await hierarchy(database)
    receiver = Receiver()
    latency = 'pilehub_notification_latency_seconds_count{channel="webhook",kind="pile.colour"}'
    before = await _sample(client, latency)
    async with serving(receiver) as base:
        hook = await subscribe(client, f"{base}/hook", area=COMMUNITY)
        wanted = await log_events(database, 3)
        await log_events(database, 2, area_path=OTHER_PATH)  # another community
        await log_events(database, 1, kind="connector.status")  # a kind not asked for
        await run_until_quiet(dispatcher, database, clock)
    # Different subjects go out concurrently: in any order.
    requests = sorted(receiver.requests, key=lambda r: int(r.webhook_id.removeprefix("evt_")))
    assert [r.webhook_id for r in requests] == [f"evt_{event_id}" for event_id in wanted]
    for request, event_id in zip(requests, wanted, strict=True):
        payload = Webhook(hook["secret"]).verify(request.body, request.headers)
        assert payload["type"] == "pile.colour"
        assert payload["data"]["event_id"] == event_id
        assert payload["data"]["subject"].startswith("pile:")
    request = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(hook["secret"]).verify(request.body.replace(b"yellow", b"green"), request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):  # the id is signed too
        Webhook(hook["secret"]).verify(request.body, {**request.headers, "webhook-id": "evt_0"})
    assert {d.state for d in await deliveries(database)} == {"delivered"}
    assert await _sample(client, latency) == before + 3


async def test_a_rotated_secret_signs_alongside_the_new_one_during_the_overlap(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    await hierarchy(database)
    receiver = Receiver()
    async with serving(receiver) as base:
        hook = await subscribe(client, f"{base}/hook")
        rotated = await client.post(f"/v1/webhooks/{hook['id']}/rotate-secret",
                                    json={"overlap_seconds": 3600})  # fmt: skip
        old, new = hook["secret"], rotated.json()["secret"]
        await log_events(database, 1)
        await run_until_quiet(dispatcher, database, clock)
        clock.advance(timedelta(hours=2))  # the overlap is over
        await log_events(database, 1)
        await run_until_quiet(dispatcher, database, clock)
    during, after = receiver.requests
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(during.body, during.headers)  # either secret verifies
    signatures = after.headers["webhook-signature"].split(" ")
    sent_at = datetime.fromtimestamp(int(after.headers["webhook-timestamp"]), UTC)
    body = after.body.decode()
    assert signatures == [Webhook(new).sign(after.webhook_id, sent_at, body)]
    assert Webhook(old).sign(after.webhook_id, sent_at, body) not in signatures


async def test_a_long_outage_loses_nothing_and_repeats_only_the_same_ids(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    await hierarchy(database)
    down = True

    def answer(_request: Received) -> Answer:
        return (503, {}, b"down") if down else (204, {}, b"")

    receiver = Receiver(answer=answer)
    expected: list[int] = []
    async with serving(receiver) as base:
        await subscribe(client, f"{base}/hook")
        for _ in range(6):  # six hours down; events keep coming
            expected += await log_events(database, 5)
            await run_until_quiet(dispatcher, database, clock, step=120, passes=30)
        assert receiver.requests
        assert {row.state for row in await deliveries(database)} == {"pending"}
        assert await _sample(client, "pilehub_outbox_pending") == len(expected)
        failures = 'pilehub_delivery_failures_total{channel="webhook",reason="http_503"}'
        assert await _sample(client, failures) >= len(receiver.requests)
        down = False
        await run_until_quiet(dispatcher, database, clock, step=300, passes=300)
    by_id: dict[str, set[bytes]] = defaultdict(set)
    for request in receiver.requests:
        by_id[request.webhook_id].add(request.body)
    assert set(by_id) == {f"evt_{event_id}" for event_id in expected}  # 100%, nothing else
    assert all(len(bodies) == 1 for bodies in by_id.values())  # a repeat is the same message
    assert len(receiver.requests) > len(expected)  # there were retries
    rows = await deliveries(database)
    assert [(row.event_id, row.state) for row in rows] == [(e, "delivered") for e in expected]
    assert await _sample(client, "pilehub_outbox_pending") == 0


async def test_the_schedule_is_jittered_spans_a_day_and_ends_in_a_dead_letter_that_replays(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock,
    settings: Settings,
) -> None:  # fmt: skip
    await hierarchy(database)
    receiver = always(500)
    schedule = settings.webhooks.retry_schedule
    async with serving(receiver) as base:
        hook = await subscribe(client, f"{base}/hook")
        (event_id,) = await log_events(database, 1)
        started = clock()
        while True:
            await dispatcher.run_once()
            (row,) = await deliveries(database)
            if row.state == "dead":
                break
            delay = row.next_attempt_at - clock()
            planned = schedule[row.attempts - 1]
            assert planned * 0.8 <= delay <= planned * 1.2, (row.attempts, delay)
            clock.current = row.next_attempt_at
        assert row.attempts == len(schedule) + 1
        assert clock() - started >= timedelta(days=1)
        dead = await client.get(f"/v1/webhooks/{hook['id']}/deliveries?state=dead")
        (item,) = dead.json()["items"]
        assert (item["webhook_id"], item["last_status"]) == (f"evt_{event_id}", 500)
        assert (await client.get(f"/v1/webhooks/{hook['id']}/deliveries?state=pending")).json()[
            "items"
        ] == []

        receiver.answer = lambda _request: (200, {}, b"")
        now = datetime.now(UTC)
        replay = await client.post(f"/v1/webhooks/{hook['id']}/replay", json={
            "since": (now - timedelta(hours=1)).isoformat(),
            "until": (now + timedelta(hours=1)).isoformat()})  # fmt: skip
        assert replay.status_code == 202, replay.text
        assert replay.json() == {"requeued": 1}
        await run_until_quiet(dispatcher, database, clock)
    assert receiver.ids() == [f"evt_{event_id}"] * (len(schedule) + 2)  # the same id throughout
    (row,) = await deliveries(database)
    assert row.state == "delivered"


async def test_a_redirect_is_a_failure_and_is_not_followed(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    await hierarchy(database)
    failures = 'pilehub_delivery_failures_total{channel="webhook",reason="redirect"}'
    before = await _sample(client, failures)
    receiver = Receiver()
    async with serving(receiver) as base:
        receiver.answer = lambda r: (
            (302, {"location": f"{base}/elsewhere"}, b"") if r.path == "/hook" else (200, {}, b"")
        )
        await subscribe(client, f"{base}/hook")
        await log_events(database, 1)
        await dispatcher.run_once()
    assert [request.path for request in receiver.requests] == ["/hook"]
    (row,) = await deliveries(database)
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, 302)
    assert await _sample(client, failures) == before + 1


async def test_410_disables_the_endpoint_until_it_is_enabled_again(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    await hierarchy(database)
    receiver = always(410)
    async with serving(receiver) as base:
        hook = await subscribe(client, f"{base}/hook")
        await log_events(database, 1)
        await run_until_quiet(dispatcher, database, clock)
        shown = (await client.get(f"/v1/webhooks/{hook['id']}")).json()
        assert shown["enabled"] is False
        assert "410" in shown["disabled_reason"]
        await log_events(database, 2)
        await run_until_quiet(dispatcher, database, clock)
        assert len(receiver.requests) == 1  # nothing more while disabled
        receiver.answer = lambda _request: (200, {}, b"")
        enabled = await client.patch(f"/v1/webhooks/{hook['id']}", json={"enabled": True})
        assert enabled.json()["enabled"] is True
        await run_until_quiet(dispatcher, database, clock)
    assert len(receiver.requests) == 4  # the first again, then the two that waited
    assert {row.state for row in await deliveries(database)} == {"delivered"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", timedelta(seconds=120)),
        ("date+300", timedelta(seconds=300)),
        ("999999", timedelta(hours=1)),
    ],  # capped  # fmt: skip
)
async def test_retry_after_is_honoured_in_seconds_or_as_a_date_and_capped(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock,
    header: str, expected: timedelta,
) -> None:  # fmt: skip
    await hierarchy(database)
    value = format_datetime(clock() + timedelta(seconds=300), usegmt=True) if header == (
        "date+300") else header  # fmt: skip
    receiver = always(429, {"retry-after": value})
    async with serving(receiver) as base:
        await subscribe(client, f"{base}/hook")
        await log_events(database, 1)
        await dispatcher.run_once()
    (row,) = await deliveries(database)
    assert (row.last_status, row.next_attempt_at - clock()) == (429, expected)


async def test_a_receiver_that_does_not_answer_in_time_is_retried(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    await hierarchy(database)
    receiver = Receiver(delay=3.0)  # the tests' timeout is 2 s
    async with serving(receiver) as base:
        await subscribe(client, f"{base}/hook")
        await log_events(database, 1)
        await dispatcher.run_once()
        (row,) = await deliveries(database)
        assert (row.state, row.last_error) == ("pending", "timed out")
        receiver.delay = 0
        await run_until_quiet(dispatcher, database, clock, step=10)
    (row,) = await deliveries(database)
    assert (row.state, row.attempts) == ("delivered", 2)


async def test_an_answer_trickling_in_is_cut_off_at_the_total_deadline(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    await hierarchy(database)
    receiver = Receiver(answer=lambda _request: (200, {}, b"x" * 8), drip=0.5)
    async with serving(receiver) as base:
        await subscribe(client, f"{base}/hook")
        await log_events(database, 1)
        started = asyncio.get_running_loop().time()
        await dispatcher.run_once()
        assert asyncio.get_running_loop().time() - started < 3.5  # not 4 s and more
    (row,) = await deliveries(database)
    assert (row.state, row.last_error) == ("pending", "timed out")


async def test_a_subjects_events_arrive_in_order_even_across_a_retry(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    await hierarchy(database)
    receiver = Receiver()
    async with serving(receiver) as base:
        await subscribe(client, f"{base}/hook")
        first = await log_events(database, 1, subject="pile:7")
        second = await log_events(database, 1, subject="pile:7")
        other = await log_events(database, 1, subject="pile:8")
        a, b, c = (f"evt_{ids[0]}" for ids in (first, second, other))
        refused: list[str] = []

        def answer(request: Received) -> Answer:
            if request.webhook_id == a and not refused:  # pile:7's first fails once
                refused.append(a)
                return 500, {}, b""
            return 200, {}, b""

        receiver.answer = answer
        await run_until_quiet(dispatcher, database, clock, step=10)
    seen = receiver.ids()
    assert sorted(seen) == sorted([a, a, b, c])
    assert [i for i in seen if i != c] == [a, a, b]  # pile:7's second waits for its first


async def test_a_slow_receiver_holds_up_only_itself(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher
) -> None:
    await hierarchy(database)
    slow, fast = Receiver(delay=1.5), Receiver()
    stop = asyncio.Event()
    async with serving(slow) as slow_base, serving(fast) as fast_base:
        await subscribe(client, f"{slow_base}/hook")
        await subscribe(client, f"{fast_base}/hook")
        running = asyncio.create_task(dispatcher.run(stop))
        try:
            await log_events(database, 1, subject="pile:1")
            await log_events(database, 1, subject="pile:2")
            async with asyncio.timeout(1.2):  # while the slow one still holds its first
                while len(fast.requests) < 2:  # noqa: ASYNC110 (the receiver records, no event)
                    await asyncio.sleep(0.02)
            assert slow.requests == []
        finally:
            stop.set()
            await running
    assert len(slow.requests) >= 1


async def test_an_endpoint_failing_everything_for_days_is_disabled(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock,
    settings: Settings,
) -> None:  # fmt: skip
    await hierarchy(database)
    receiver = always(500)
    async with serving(receiver) as base:
        hook = await subscribe(client, f"{base}/hook")
        url = f"/v1/webhooks/{hook['id']}"
        started = clock()
        for step in range(8 * 48):  # half-hour steps for up to eight days, an event every 6 h
            if step % 12 == 0:  # each a new subject: attempted at once, not held in order
                await log_events(database, 1, subject=f"pile:{step}")
            await dispatcher.run_once()
            shown = (await client.get(url)).json()
            if not shown["enabled"]:
                break
            clock.advance(timedelta(minutes=30))
        assert shown["enabled"] is False
        assert shown["disabled_reason"].startswith("every attempt failed since")
        failing_since = datetime.fromisoformat(shown["failing_since"])
        assert failing_since - started < timedelta(minutes=1)
        limit = settings.webhooks.disable_after
        assert limit <= clock() - failing_since < limit + timedelta(minutes=30)

        receiver.answer = lambda _request: (200, {}, b"")
        enabled = (await client.patch(url, json={"enabled": True})).json()
        assert (enabled["enabled"], enabled["failing_since"]) == (True, None)
        await log_events(database, 1)
        await run_until_quiet(dispatcher, database, clock)
        assert (await client.get(url)).json()["failing_since"] is None
    assert (await deliveries(database))[-1].state == "delivered"
