"""Recording a sent batch: each delivery's outcome and its endpoint's health (rules in
app/webhooks/health.py), written in one transaction and counted in the delivery metrics."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import structlog

from app.core.config import WebhookSettings
from app.core.db import Database
from app.core.metrics import (
    DELIVERY_FAILURES,
    DELIVERY_OUTCOMES,
    NOTIFICATION_LATENCY,
    OUTBOX_DEPTH,
)
from app.models import ChangeEvent
from app.webhooks import repository
from app.webhooks.claims import Batch
from app.webhooks.health import delivery_outcome, endpoint_health
from app.webhooks.vetted_post import Attempt

log = structlog.get_logger(__name__)


async def record(
    database: Database, batch: Batch, events: dict[int, ChangeEvent], *, now: datetime,
    config: WebhookSettings, rng: random.Random,
) -> None:  # fmt: skip
    """Write how the batch went (`batch.attempts`, one per delivery; `batch.leftover` due again
    at once) and the endpoint's health."""
    endpoint, channel = batch.endpoint, batch.endpoint.kind
    assert endpoint.id is not None
    finished = 0
    async with database.session(write=True) as session:
        await repository.record(  # the robot's next message takes them
            session, [d.id for d in batch.leftover if d.id], {"next_attempt_at": now}
        )
        for delivery, attempt in zip(batch.deliveries, batch.attempts, strict=True):
            assert delivery.id is not None
            values = delivery_outcome(delivery.attempts, attempt, now, config, rng)
            _count(channel, attempt, values)
            await repository.record(session, [delivery.id], values)
            finished += values.get("state", "pending") != "pending"
            if attempt.ok:
                event = events[delivery.event_id]
                NOTIFICATION_LATENCY.labels(channel, event.kind).observe(
                    max((now - event.occurred_at).total_seconds(), 0.0)
                )
        health = endpoint_health(endpoint.failing_since, batch.attempts, now, config.disable_after)
        if health.get("enabled") is False:
            log.warning(
                "webhook endpoint disabled", endpoint=endpoint.id, reason=health["disabled_reason"]
            )
        if health:
            await repository.set_endpoint(session, endpoint.id, health)
    OUTBOX_DEPTH.dec(finished)  # committed; the next measurement corrects any drift


def _count(channel: str, attempt: Attempt, values: dict[str, Any]) -> None:
    if attempt.ok:
        DELIVERY_OUTCOMES.labels(channel, "delivered").inc()
        return
    DELIVERY_FAILURES.labels(channel, attempt.reason or "error").inc()
    if values.get("state") == "dead":
        DELIVERY_OUTCOMES.labels(channel, "dead").inc()
