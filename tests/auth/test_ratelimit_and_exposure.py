"""The rate limiter's arithmetic and memory bound, and what production does not expose."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from app.auth import ratelimit
from app.auth.ratelimit import RateLimiter, retry_after
from app.core.config import Environment, RateLimit, Settings
from app.core.db import Database
from app.main import create_app


def test_bucket_refills_at_the_rate_and_says_how_long_to_wait() -> None:
    limiter = RateLimiter(RateLimit(per_second=2.0, burst=2))
    assert [limiter.acquire("a", now=0.0) for _ in range(2)] == [0.0, 0.0]
    assert limiter.acquire("a", now=0.0) == pytest.approx(0.5)
    assert retry_after(0.5) == "1"
    assert limiter.acquire("a", now=0.5) == 0.0  # one token back after 0.5 s
    assert limiter.acquire("b", now=0.5) == 0.0  # buckets are per key


def test_a_flood_of_made_up_keys_does_not_reset_a_limited_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ratelimit, "_MAX_KEYS", 100)
    limiter = RateLimiter(RateLimit(per_second=0.001, burst=1))
    assert limiter.acquire("victim", now=0.0) == 0.0
    assert limiter.acquire("victim", now=0.0) > 0  # limited
    for n in range(1, 300):  # an attacker's made-up ids, later than the victim's last use
        limiter.acquire(f"junk-{n}", now=float(n))
    assert len(limiter._buckets) <= 100
    # The victim's bucket was among the oldest and may be gone, but never refilled early:
    # either it is still limited, or it was dropped with its (exhausted) state.
    assert limiter.acquire("attacker", now=300.0) == 0.0
    assert limiter.acquire("attacker", now=300.0) > 0


@pytest.mark.asyncio(loop_scope="session")
async def test_production_serves_no_docs_or_live_schema(
    settings: Settings, database: Database
) -> None:
    production = settings.model_copy(
        update={
            "env": Environment.PRODUCTION,
            "secret_key": SecretStr("a-long-random-production-key"),
        }
    )
    app = create_app(production, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://pilehub.test"
    ) as anonymous:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await anonymous.get(path)).status_code == 404, path
        assert (await anonymous.get("/healthz")).status_code == 200
