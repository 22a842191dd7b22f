"""What one attempt means, for its delivery and for its endpoint. Pure: the caller writes the
changes and counts them (app/webhooks/recording.py).

A delivery is delivered on a 2xx; otherwise it waits the retry schedule's delay (or the
receiver's longer Retry-After), and after the last retry it is dead (listed as a dead letter;
replay re-queues). An endpoint is disabled on a 410, or after failing everything for
`disable_after`; its failing clock starts at a failure and stops at a success.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from app.core.config import WebhookSettings
from app.webhooks import schedule
from app.webhooks.vetted_post import Attempt, failed

# Sent for a delivery whose event was pruned from the log: dead at once, nothing to retry.
EVENT_GONE = failed("event_gone", "the event is no longer in the change log")


def delivery_outcome(
    attempts_before: int, attempt: Attempt, now: datetime, config: WebhookSettings,
    rng: random.Random,
) -> dict[str, Any]:  # fmt: skip
    """The delivery's changed columns after `attempt`; no `state` means still pending."""
    attempts = attempts_before + 1
    values: dict[str, Any] = {"attempts": attempts, "last_status": attempt.status}
    if attempt.ok:
        return values | {"state": "delivered", "delivered_at": now, "last_error": None}
    values["last_error"] = attempt.detail[:300]
    if attempt is EVENT_GONE:
        return values | {"state": "dead"}
    if attempt.gone:  # stays pending for when the endpoint is enabled again
        return values | {"next_attempt_at": now}
    delay = schedule.next_delay(config.retry_schedule, attempts, jitter=config.jitter, rng=rng)
    if delay is None:
        return values | {"state": "dead"}
    asked = schedule.retry_after(attempt.retry_after, now=now, cap=config.retry_after_cap)
    if asked is not None:
        delay = max(delay, asked)
    return values | {"next_attempt_at": now + delay}


def endpoint_health(
    failing_since: datetime | None, attempts: Sequence[Attempt], now: datetime,
    disable_after: timedelta,
) -> dict[str, Any]:  # fmt: skip
    """The endpoint's changed columns after a batch's attempts; `enabled: False` disables it
    (with `disabled_reason`)."""
    reason = None
    if any(attempt.gone for attempt in attempts):
        reason = "the receiver answered 410 Gone"
    elif any(attempt.ok for attempt in attempts):
        return {"failing_since": None} if failing_since else {}
    elif failing_since is None:
        return {"failing_since": now} if attempts else {}
    elif now - failing_since >= disable_after:
        reason = f"every attempt failed since {failing_since.isoformat()}"
    if reason is None:
        return {}
    return {"enabled": False, "disabled_reason": reason, "updated_at": now}
