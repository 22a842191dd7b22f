"""Sending a claimed batch: one signed POST per delivery to a webhook (Standard Webhooks
headers), or one markdown message to a robot holding as many of its alerts as fit, with the
requests in flight bounded. Each delivery gets an `Attempt`; none is raised."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import httpx
import orjson
import structlog

from app.core.config import WebhookSettings
from app.models import ChangeEvent, WebhookDelivery
from app.webhooks import signing, wecom
from app.webhooks.claims import Batch
from app.webhooks.health import EVENT_GONE
from app.webhooks.service import signing_secrets
from app.webhooks.ssrf import Resolver
from app.webhooks.vetted_post import Attempt, failed, post

log = structlog.get_logger(__name__)


class BatchSender:
    def __init__(
        self, config: WebhookSettings, *, base_url: str, clock: Callable[[], datetime],
        resolve: Resolver | None, transport: httpx.AsyncBaseTransport | None,
    ) -> None:  # fmt: skip
        self._config, self._base_url, self._clock, self._resolve = config, base_url, clock, resolve
        self._limit = asyncio.Semaphore(config.concurrency)  # requests in flight
        # Proxies from the environment would bypass the address pinning: never use them.
        self._client = httpx.AsyncClient(
            timeout=config.timeout.total_seconds(), follow_redirects=False,
            trust_env=False, transport=transport,
        )  # fmt: skip

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send(
        self, batch: Batch, events: dict[int, ChangeEvent], names: dict[str, str]
    ) -> None:
        """Send the batch's deliveries (`events` by id, community `names` for robots) and set
        `batch.attempts`, one per delivery; a robot's deliveries that did not fit in its
        message move to `batch.leftover`."""
        missing = [d for d in batch.deliveries if d.event_id not in events]
        if missing:  # pruned from the log: nothing left to send
            batch.deliveries = [d for d in batch.deliveries if d.event_id in events] + missing
        present = len(batch.deliveries) - len(missing)
        if batch.endpoint.kind == "wecom":
            lines = [
                wecom.AlertLine.of(
                    e.kind, e.payload, e.occurred_at, names=names, base_url=self._base_url
                )
                for e in (events[d.event_id] for d in batch.deliveries[:present])
            ]
            attempts: list[Attempt] = []
            if lines:
                body, count = wecom.message(lines)
                batch.leftover = batch.deliveries[count:present]  # the next message's
                batch.deliveries = batch.deliveries[:count] + missing
                async with self._limit:
                    attempts = [await self._post_robot(batch, body)] * count
            batch.attempts = attempts + [EVENT_GONE] * len(missing)
            return

        async def one(delivery: WebhookDelivery) -> Attempt:
            event = events[delivery.event_id]
            async with self._limit:
                return await self._post_webhook(batch, event)

        sent = await asyncio.gather(*(one(d) for d in batch.deliveries[:present]))
        batch.attempts = list(sent) + [EVENT_GONE] * len(missing)

    async def _post_webhook(self, batch: Batch, event: ChangeEvent) -> Attempt:
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

    async def _post_robot(self, batch: Batch, body: bytes) -> Attempt:
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
