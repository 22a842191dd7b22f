"""The dispatcher: change log → deliveries → signed POSTs and robot messages, with retries.

Each pass, under one job lock (one dispatcher at a time on PostgreSQL):

1. **Enqueue** (app/webhooks/fanout.py): new change_event rows, up to the first gap in the
   ids, become a delivery per (endpoint, wanted event), and the cursors move past them.
2. **Claim** (app/webhooks/claims.py): due deliveries are leased before anything is sent, one
   batch per endpoint; a subject's events go out in order, a robot's as one message.
3. **Send** each endpoint's batch in its own task (app/webhooks/sending.py; requests in
   flight bounded; an endpoint with a batch in flight is skipped by later passes, so a slow
   receiver delays only itself), and **record** (app/webhooks/recording.py, rules in
   app/webhooks/health.py): 2xx delivered; otherwise the next attempt follows the retry
   schedule (or the receiver's Retry-After), a 410 disables the endpoint, and after the
   last retry the delivery is dead (listed as a dead letter; replay re-queues).

Robots get one message per pass at most, and only within 20 sends a minute: everything due
goes into that message, so bursts become digests and nothing is dropped. With
`robot_max_age` set, a robot gets no delivery for an event whose change
(`fanout.change_instant`) was already older than that when it was enqueued: history arriving
late is not chat news.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from datetime import datetime

import httpx
import structlog

from app.core.config import Settings
from app.core.db import Database
from app.core.locks import job_lock
from app.core.metrics import OUTBOX_DEPTH
from app.core.time import utc_now
from app.core.vault import SecretVault
from app.events.feed import listen
from app.webhooks import repository
from app.webhooks.claims import Batch, Claims
from app.webhooks.fanout import Fanout
from app.webhooks.recording import record
from app.webhooks.sending import BatchSender
from app.webhooks.ssrf import Resolver

log = structlog.get_logger(__name__)
Clock = Callable[[], datetime]


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
        self._database, self._config = database, settings.webhooks
        self._clock, self._rng = clock, rng or random.Random()
        self._fanout = Fanout(database, self._config, clock)
        vault = SecretVault(settings.secret_key.get_secret_value())
        self._claims = Claims(database, self._config, vault)
        self._sender = BatchSender(
            self._config, base_url=settings.issuer, clock=clock, resolve=resolve,
            transport=transport,
        )  # fmt: skip
        self._passes = 0
        # A pass starts at once on a change committed by this process (the demo runs API and
        # worker in one), on a NOTIFY (PostgreSQL), and when a batch has finished; otherwise
        # every poll interval.
        self._wake = asyncio.Event()
        database.on_log_commit(self._wake.set)

    async def aclose(self) -> None:
        await self._sender.aclose()

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
            enqueued = await self._fanout.enqueue()
            batches = await self._claims.claim(self._clock())
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

    async def _complete(self, batch: Batch) -> int:
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
            await self._sender.send(batch, events, names)
            await record(
                self._database, batch, events, now=self._clock(), config=self._config,
                rng=self._rng,
            )  # fmt: skip
            return len(batch.deliveries)
        except Exception:  # the leases run out and the deliveries are tried again
            log.exception("webhook batch failed", endpoint=endpoint_id)
            return 0
        finally:
            self._claims.release(endpoint_id)
            self._wake.set()  # what came due while this batch was out goes now, not next poll
