"""Per-client rate limits: a token bucket per key, in each process (no I/O).

With N API processes a client gets up to N times the rate; the limit protects each process
and the database behind it, which is what it is for.
"""

from __future__ import annotations

import math
import time

from app.core.config import RateLimit
from app.core.parts import ProcessPart

_MAX_KEYS = 100_000  # bounds memory against floods of made-up client ids


class RateLimiter:
    def __init__(self, limit: RateLimit) -> None:
        self.rate, self.burst = limit.per_second, float(limit.burst)
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def acquire(self, key: str, now: float | None = None) -> float:
        """Take one request; 0 if allowed, else the seconds to wait (for Retry-After)."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            if len(self._buckets) >= _MAX_KEYS:
                self._forget_idle(now)
            self._buckets[key] = (tokens - 1.0, now)
            return 0.0
        self._buckets[key] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Drop buckets that have refilled (forgetting them changes nothing); if a flood of
        made-up keys left none idle, drop the oldest half rather than every limit."""
        refill = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < refill}
        if len(self._buckets) >= _MAX_KEYS:
            by_age = sorted(self._buckets.items(), key=lambda item: item[1][1])
            self._buckets = dict(by_age[len(by_age) // 2 :])


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


# One limiter for API requests, one for the token endpoint (each client has a bucket in each).
API_LIMITER: ProcessPart[RateLimiter] = ProcessPart("api_limiter")
TOKEN_LIMITER: ProcessPart[RateLimiter] = ProcessPart("token_limiter")
