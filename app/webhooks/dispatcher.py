"""The dispatcher: change log → deliveries → signed POSTs and robot messages, with retries.

Each pass, under one job lock (one dispatcher at a time on PostgreSQL):

1. **Enqueue.** Read change_event after the lowest endpoint cursor, up to the first gap in the
   ids (as app/events/feed.py: on PostgreSQL ids commit out of order; a gap is waited for up
   to `gap_timeout`, then taken as a rolled-back transaction). In one transaction, insert a
   delivery per (endpoint, wanted event) and move the cursors to that watermark: an event is
   either behind a cursor with its delivery committed, or ahead of it and read again.
2. **Claim.** Due deliveries are leased (`next_attempt_at` moved past the request timeout)
   before anything is sent, so a crash mid-send leaves them due again: at-least-once, with
   the same `webhook-id`, which receivers dedupe on. Per endpoint only the oldest pending
   delivery of each subject goes out, so a subject's events arrive in order.
3. **Send** each endpoint's batch in its own task (requests in flight bounded; an endpoint
   with a batch in flight is skipped by later passes, so a slow receiver delays only
   itself), and **record**: 2xx delivered; otherwise the next attempt follows the retry
   schedule (or the receiver's Retry-After), a 410 disables the endpoint, and after the
   last retry the delivery is dead (listed as a dead letter; replay re-queues).

Robots get one message per pass at most, and only within 20 sends a minute: everything due
goes into that message, so bursts become digests and nothing is dropped. With
`robot_max_age` set, a robot gets no delivery for an event whose change (`change_instant`)
was already older than that when it was enqueued: history arriving late is not chat news.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
import structlog
from sqlmodel.ext.asyncio.session import AsyncSession

from app.changelog import repository as events_repository
from app.changelog.kinds import Kind
from app.core.config import Settings
from app.core.db import Database
from app.core.locks import job_lock
from app.core.metrics import (
    DELIVERY_FAILURES,
    DELIVERY_OUTCOMES,
    NOTIFICATION_LATENCY,
    OUTBOX_DEPTH,
)
from app.core.time import utc_now
from app.events.feed import listen
from app.models import ChangeEvent, WebhookDelivery, WebhookEndpoint
from app.operators.vault import SecretVault
from app.webhooks import kinds, repository, schedule, signing, wecom
from app.webhooks.sender import Attempt, failed, post
from app.webhooks.service import Target, sealed_target, signing_secrets
from app.webhooks.ssrf import Resolver

log = structlog.get_logger(__name__)
Clock = Callable[[], datetime]
_SCAN = 2000  # change_event rows read per pass
_PER_ENDPOINT = 200  # due deliveries looked at per endpoint and pass
_ROBOT_LINES = 60  # alerts considered for one robot message
_GONE = failed("event_gone", "the event is no longer in the change log")


@dataclass
class _Batch:
    """What one endpoint sends this pass: one request per delivery, or one robot message."""

    endpoint: WebhookEndpoint
    target: Target = field(repr=False)
    deliveries: list[WebhookDelivery]
    attempts: list[Attempt] = field(default_factory=list)
    # Claimed but left for the robot's next message (it was full): due again at once.
    leftover: list[WebhookDelivery] = field(default_factory=list)


class Dispatcher:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        resolve: Resolver | None = None,
        rng: random.Random | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._database, self._settings, self._config = database, settings, settings.webhooks
        self._vault = SecretVault(settings.secret_key.get_secret_value())
        self._clock, self._resolve, self._rng = clock, resolve, rng or random.Random()
        self._gap: tuple[int, float] | None = None  # the missing id, since (monotonic)
        self._passes = 0
        self._limit = asyncio.Semaphore(self._config.concurrency)  # requests in flight
        # Endpoints with a batch in flight: a slow receiver holds up only itself.
        self._busy: set[int] = set()
        # A pass starts at once on a change committed by this process (the demo runs API and
        # worker in one), on a NOTIFY (PostgreSQL), and when a batch has finished; otherwise
        # every poll interval.
        self._wake = asyncio.Event()
        database.on_log_commit(self._wake.set)
        # Proxies from the environment would bypass the address pinning: never use them.
        self._client = httpx.AsyncClient(
            timeout=self._config.timeout.total_seconds(), follow_redirects=False,
            trust_env=False, transport=transport,
        )  # fmt: skip

    async def aclose(self) -> None:
        await self._client.aclose()

    async def run(self, stop: asyncio.Event) -> None:
        """Pass after pass until `stop`, each pass's sends running on while the next passes
        start; a failed pass is logged and the next one retries."""
        interval = self._config.poll_interval.total_seconds()
        inflight: set[asyncio.Task[int]] = set()
        listener = await listen(self._database, self._wake.set, what="the webhook dispatcher")
        try:
            while not stop.is_set():
                self._wake.clear()  # before the pass: a commit during it is kept
                try:
                    for task in await self._pass():
                        inflight.add(task)
                        task.add_done_callback(inflight.discard)
                except Exception:
                    log.exception("webhook dispatch pass failed")
                with contextlib.suppress(TimeoutError):  # `stop` is seen within a poll
                    await asyncio.wait_for(self._wake.wait(), interval)
        finally:
            await asyncio.gather(*inflight, return_exceptions=True)
            await self.aclose()
            if listener is not None:
                await listener.close()

    async def run_once(self) -> int:
        """One pass, waiting for its sends; returns the number of deliveries attempted."""
        return sum(await asyncio.gather(*await self._pass()))

    async def _pass(self) -> list[asyncio.Task[int]]:
        """Enqueue, claim, and start sending each endpoint's batch."""
        async with job_lock(self._database, "webhook-dispatch") as held:
            if not held:
                return []
            enqueued = await self.enqueue()
            batches = await self._claim(self._clock())
            self._passes += 1
            if enqueued or batches or self._passes % 50 == 1:
                await self._measure_depth()  # before the sends: each finished one counts down
        return [asyncio.create_task(self._complete(batch)) for batch in batches]

    async def _measure_depth(self) -> None:
        try:
            async with self._database.session() as session:
                OUTBOX_DEPTH.set(await repository.pending_count(session))
        except Exception:  # claimed batches must still be sent (and their endpoints freed)
            log.exception("outbox depth not measured")

    async def enqueue(self) -> int:
        """Turn new change_event rows into deliveries; returns how many were created."""
        async with self._database.session() as session:
            endpoints = await repository.enabled_endpoints(session)
            if not endpoints or await events_repository.latest_id(session) <= min(
                e.cursor for e in endpoints
            ):
                return 0
        async with self._database.session(write=True) as session:
            endpoints = await repository.enabled_endpoints(session)
            if not endpoints:
                return 0
            start = min(endpoint.cursor for endpoint in endpoints)
            events = self._contiguous(
                start, await events_repository.after(session, start, area_path=None, limit=_SCAN)
            )
            if not events:
                return 0
            now = self._clock()
            max_age = self._config.robot_max_age
            stale_before = now - max_age if max_age is not None else None
            rows = [
                {"endpoint_id": endpoint.id, "event_id": event.id, "subject": event.subject,
                 "state": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
                for endpoint in endpoints for event in events
                if _wants(endpoint, event, stale_before)
            ]  # fmt: skip
            await repository.add_deliveries(session, rows)
            watermark = events[-1].id
            assert watermark is not None
            await repository.set_cursor(session, [e.id for e in endpoints if e.id], watermark)
        return len(rows)

    def _contiguous(self, start: int, rows: Sequence[ChangeEvent]) -> list[ChangeEvent]:
        """The rows up to the first gap still worth waiting for."""
        taken: list[ChangeEvent] = []
        last = start
        for row in rows:
            assert row.id is not None
            if row.id != last + 1:
                if self._gap is None or self._gap[0] != last + 1:
                    self._gap = (last + 1, time.monotonic())
                if time.monotonic() - self._gap[1] <= self._config.gap_timeout.total_seconds():
                    break
            self._gap = None
            taken.append(row)
            last = row.id
        return taken

    async def _complete(self, batch: _Batch) -> int:
        """Send one endpoint's batch and record how it went; the deliveries attempted."""
        endpoint_id = batch.endpoint.id
        assert endpoint_id is not None
        try:
            async with self._database.session() as session:
                events = await repository.events_by_id(
                    session, [d.event_id for d in batch.deliveries]
                )
                names = await repository.community_names(
                    session, {str(e.payload.get("community", "")) for e in events.values()}
                ) if batch.endpoint.kind == "wecom" else {}  # fmt: skip
            await self._send(batch, events, names)
            await self._record(batch, events)
            return len(batch.deliveries)
        except Exception:  # the leases run out and the deliveries are tried again
            log.exception("webhook batch failed", endpoint=endpoint_id)
            return 0
        finally:
            self._busy.discard(endpoint_id)
            self._wake.set()  # what came due while this batch was out goes now, not next poll

    async def _claim(self, now: datetime) -> list[_Batch]:
        async with self._database.session() as session:
            due = await repository.due_endpoint_ids(session, now)
        if not due:
            return []
        batches: list[_Batch] = []
        async with self._database.session(write=True) as session:
            for endpoint in await repository.enabled_endpoints(session):
                if endpoint.id not in due or endpoint.id in self._busy:
                    continue
                chosen = await self._choose(session, endpoint, now)
                if not chosen:
                    continue
                batches.append(_Batch(endpoint, sealed_target(self._vault, endpoint), chosen))
                # Long enough for the batch's requests, a few at a time, to time out.
                rounds = 1 + len(chosen) // self._config.concurrency
                lease_until = now + self._config.timeout * rounds + timedelta(seconds=5)
                await repository.lease(session, [d.id for d in chosen if d.id], lease_until)
        # Claimed (committed): busy until _complete has recorded the batch.
        self._busy.update(batch.endpoint.id for batch in batches if batch.endpoint.id)
        return batches

    async def _choose(
        self, session: AsyncSession, endpoint: WebhookEndpoint, now: datetime
    ) -> list[WebhookDelivery]:
        assert endpoint.id is not None
        if endpoint.kind == "wecom":
            recent, allowed_at = wecom.budget(
                endpoint.send_times, now.timestamp(), self._config.robot_per_minute
            )
            if allowed_at > now.timestamp():
                return []  # over the robot's budget: what is due waits and is merged later
            chosen = list(await repository.due(session, endpoint.id, now, _ROBOT_LINES))
            if chosen:  # counted when sent, success or not: WeCom counts requests
                endpoint.send_times = [*recent, now.timestamp()]
            return chosen
        due = await repository.due(session, endpoint.id, now, _PER_ENDPOINT)
        # Only a subject's oldest pending delivery goes out (one in flight, or waiting for its
        # retry, holds the later ones back): a subject's events arrive in order.
        first = await repository.first_pending(session, endpoint.id, {d.subject for d in due})
        return [d for d in due if first.get(d.subject) == d.event_id]

    async def _send(
        self, batch: _Batch, events: dict[int, ChangeEvent], names: dict[str, str]
    ) -> None:
        missing = [d for d in batch.deliveries if d.event_id not in events]
        if missing:  # pruned from the log: nothing left to send
            batch.deliveries = [d for d in batch.deliveries if d.event_id in events] + missing
        present = len(batch.deliveries) - len(missing)
        if batch.endpoint.kind == "wecom":
            base_url = self._settings.issuer
            lines = [
                wecom.AlertLine.of(e.kind, e.payload, e.occurred_at, names=names, base_url=base_url)
                for e in (events[d.event_id] for d in batch.deliveries[:present])
            ]
            attempts: list[Attempt] = []
            if lines:
                body, count = wecom.message(lines)
                batch.leftover = batch.deliveries[count:present]  # the next message's
                batch.deliveries = batch.deliveries[:count] + missing
                async with self._limit:
                    attempts = [await self._post_robot(batch, body)] * count
            batch.attempts = attempts + [_GONE] * len(missing)
            return

        async def one(delivery: WebhookDelivery) -> Attempt:
            event = events[delivery.event_id]
            async with self._limit:
                return await self._post_webhook(batch, event)

        sent = await asyncio.gather(*(one(d) for d in batch.deliveries[:present]))
        batch.attempts = list(sent) + [_GONE] * len(missing)

    async def _post_webhook(self, batch: _Batch, event: ChangeEvent) -> Attempt:
        assert event.id is not None
        body = orjson.dumps({
            "type": event.kind, "timestamp": event.occurred_at.isoformat(),
            "data": {"event_id": event.id, "subject": event.subject, "payload": event.payload},
        })  # fmt: skip
        now = self._clock()
        headers = signing.headers(
            signing_secrets(batch.target, batch.endpoint, now),
            msg_id=signing.message_id(event.id), timestamp=now, body=body.decode(),
        )  # fmt: skip
        return await self._post(batch.target.url, body, headers)

    async def _post_robot(self, batch: _Batch, body: bytes) -> Attempt:
        attempt = await self._post(batch.target.url, body, {})
        if not attempt.ok:
            return attempt
        code = wecom.errcode(attempt.body)
        if code == 0:
            return attempt
        # HTTP 200 with a non-zero errcode is a failure; 45009 means slow down.
        retry = "60" if code == wecom.RATE_LIMITED else None
        return Attempt(ok=False, status=attempt.status, reason="errcode",
                       detail=f"errcode {code}", retry_after=retry)  # fmt: skip

    async def _post(self, url: str, body: bytes, headers: dict[str, str]) -> Attempt:
        try:
            return await post(
                self._client, url, body, headers, allowed=self._config.allowed_networks,
                resolve=self._resolve, max_bytes=self._config.max_response_bytes,
                deadline=self._config.timeout.total_seconds(),
            )  # fmt: skip
        except Exception as exc:  # one bad target must not fail the pass
            # No traceback: its frames hold the URL, and a robot's key is in it.
            log.error("webhook send failed unexpectedly", error=type(exc).__name__)
            return failed("error", type(exc).__name__)

    async def _record(self, batch: _Batch, events: dict[int, ChangeEvent]) -> None:
        now = self._clock()
        endpoint, channel = batch.endpoint, batch.endpoint.kind
        assert endpoint.id is not None
        finished = 0
        async with self._database.session(write=True) as session:
            await repository.record(  # the robot's next message takes them
                session, [d.id for d in batch.leftover if d.id], {"next_attempt_at": now}
            )
            for delivery, attempt in zip(batch.deliveries, batch.attempts, strict=True):
                assert delivery.id is not None
                values = self._outcome(delivery, attempt, now, channel)
                await repository.record(session, [delivery.id], values)
                finished += values.get("state", "pending") != "pending"
                if attempt.ok:
                    event = events[delivery.event_id]
                    NOTIFICATION_LATENCY.labels(channel, event.kind).observe(
                        max((now - event.occurred_at).total_seconds(), 0.0)
                    )
            health = self._health(endpoint, batch.attempts, now)
            if health:
                await repository.set_endpoint(session, endpoint.id, health)
        OUTBOX_DEPTH.dec(finished)  # committed; the next measurement corrects any drift

    def _health(
        self, endpoint: WebhookEndpoint, attempts: Sequence[Attempt], now: datetime
    ) -> dict[str, Any]:
        """Endpoint changes after a batch: disabled on a 410 or after failing everything for
        `disable_after`; the failing clock starts at a failure and stops at a success."""
        reason = None
        if any(attempt.gone for attempt in attempts):
            reason = "the receiver answered 410 Gone"
        elif any(attempt.ok for attempt in attempts):
            return {"failing_since": None} if endpoint.failing_since else {}
        elif endpoint.failing_since is None:
            return {"failing_since": now} if attempts else {}
        elif now - endpoint.failing_since >= self._config.disable_after:
            reason = f"every attempt failed since {endpoint.failing_since.isoformat()}"
        if reason is None:
            return {}
        log.warning("webhook endpoint disabled", endpoint=endpoint.id, reason=reason)
        return {"enabled": False, "disabled_reason": reason, "updated_at": now}

    def _outcome(
        self, delivery: WebhookDelivery, attempt: Attempt, now: datetime, channel: str
    ) -> dict[str, Any]:
        attempts = delivery.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "last_status": attempt.status}
        if attempt.ok:
            DELIVERY_OUTCOMES.labels(channel, "delivered").inc()
            return values | {"state": "delivered", "delivered_at": now, "last_error": None}
        DELIVERY_FAILURES.labels(channel, attempt.reason or "error").inc()
        values["last_error"] = attempt.detail[:300]
        if attempt is _GONE:
            DELIVERY_OUTCOMES.labels(channel, "dead").inc()
            return values | {"state": "dead"}
        if attempt.gone:  # stays pending for when the endpoint is enabled again
            return values | {"next_attempt_at": now}
        delay = schedule.next_delay(
            self._config.retry_schedule, attempts, jitter=self._config.jitter, rng=self._rng
        )
        if delay is None:
            DELIVERY_OUTCOMES.labels(channel, "dead").inc()
            return values | {"state": "dead"}
        asked = schedule.retry_after(attempt.retry_after, now=now,
                                     cap=self._config.retry_after_cap)  # fmt: skip
        if asked is not None:
            delay = max(delay, asked)
        return values | {"next_attempt_at": now + delay}


def _wants(
    endpoint: WebhookEndpoint, event: ChangeEvent, robot_stale_before: datetime | None = None
) -> bool:
    assert event.id is not None
    return (
        event.id > endpoint.cursor
        and event.area_path.startswith(endpoint.area_path)
        and kinds.matches(endpoint.event_kinds, event.kind)
        and not (
            endpoint.kind == "wecom"
            and robot_stale_before is not None
            and change_instant(event) < robot_stale_before
        )
    )


def change_instant(event: ChangeEvent) -> datetime:
    """When the change an event reports happened: its payload's `since` (the operator time of
    the report, or a rule's instant), for an `alert.opened` without one its `opened_at`, else
    when the hub logged it."""
    keys = ("since", "opened_at") if event.kind == Kind.ALERT_OPENED else ("since",)
    for key in keys:
        try:
            instant = datetime.fromisoformat(str(event.payload[key]))
        except (KeyError, ValueError):
            continue
        if instant.tzinfo is not None:
            return instant
    return event.occurred_at
