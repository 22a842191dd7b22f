"""The push path's per-process cache of operator keys and confirmed tokens."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest

from app.core.time import utc_now
from app.operators.cache import OperatorCache
from app.operators.service import Channel
from app.tcec.crypto import ChannelSecrets

pytestmark = pytest.mark.asyncio

CHANNEL = Channel(
    operator_pk=1,
    operator_id="MA002TMQX",
    operator_secret="s",
    secrets=ChannelSecrets(data_secret="a" * 16, data_secret_iv="b" * 16, sig_secret="c"),
    base_url="http://x/",
    pull_interval=timedelta(minutes=5),
)


async def test_keys_are_loaded_once_per_ttl_and_unknown_ids_are_cached_too() -> None:
    cache, loads = OperatorCache(ttl=60), []

    async def load() -> Channel | None:
        loads.append(1)
        return None

    for _ in range(3):
        assert await cache.channel("XXXXXXXXX", load) is None
    assert len(loads) == 1
    cache.ttl = 0
    await cache.channel("YYYYYYYYY", load)
    await cache.channel("YYYYYYYYY", load)
    assert len(loads) == 3


async def test_a_token_is_trusted_only_after_the_database_confirms_it() -> None:
    cache, checks = OperatorCache(ttl=60), []

    def expiry(value: datetime | None) -> Callable[[], Awaitable[datetime | None]]:
        async def check() -> datetime | None:
            checks.append(value)
            return value

        return check

    assert not await cache.token_is_valid(CHANNEL, "t1", expiry(None))
    assert not await cache.token_is_valid(CHANNEL, "t1", expiry(None))
    assert len(checks) == 2  # refusals are not cached
    later = utc_now() + timedelta(hours=1)
    assert await cache.token_is_valid(CHANNEL, "t2", expiry(later))
    assert await cache.token_is_valid(CHANNEL, "t2", expiry(None))  # served from the cache
    assert len(checks) == 3


async def test_a_cached_token_is_not_trusted_past_its_own_expiry() -> None:
    cache = OperatorCache(ttl=3600)

    async def soon() -> datetime | None:
        return utc_now() + timedelta(milliseconds=1)

    async def gone() -> datetime | None:
        return None

    assert await cache.token_is_valid(CHANNEL, "t", soon)
    expired_at = utc_now() + timedelta(milliseconds=5)
    while utc_now() < expired_at:
        pass
    assert not await cache.token_is_valid(CHANNEL, "t", gone)


async def test_a_token_of_another_operator_is_not_taken_from_the_cache() -> None:
    cache = OperatorCache(ttl=3600)
    other = Channel(
        operator_pk=2,
        operator_id="OTHER0000",
        operator_secret="s",
        secrets=CHANNEL.secrets,
        base_url="http://y/",
        pull_interval=timedelta(minutes=5),
    )

    async def live() -> datetime | None:
        return utc_now() + timedelta(hours=1)

    async def refused() -> datetime | None:
        return None

    assert await cache.token_is_valid(CHANNEL, "shared", live)
    assert not await cache.token_is_valid(other, "shared", refused)
