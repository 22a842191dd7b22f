"""When to try again: the retry schedule with jitter, and a receiver's Retry-After. Pure."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime


def next_delay(
    schedule: Sequence[timedelta], failures: int, *, jitter: float, rng: random.Random
) -> timedelta | None:
    """The wait after the `failures`-th failed attempt (1-based), jittered by +-`jitter` so
    that endpoints failing together do not retry together; None when the schedule is
    exhausted (dead letter)."""
    if failures > len(schedule):
        return None
    return schedule[failures - 1] * rng.uniform(1 - jitter, 1 + jitter)


def retry_after(value: str | None, *, now: datetime, cap: timedelta) -> timedelta | None:
    """RFC 9110 §10.2.3 Retry-After: delay-seconds or an HTTP-date; capped; None if absent
    or unparseable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        delay = max(when - now, timedelta(0))
    return min(delay, cap)
