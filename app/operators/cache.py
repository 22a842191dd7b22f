"""Per-process caches for the push path: who an operator is, and which tokens are live.

Every push needs the caller's inbound keys and a token check. Reading both from the database
(and decrypting the keys) on every push cost more than recording the push itself. Keys are
cached for `ttl`, so a re-onboarding with new secrets takes effect within it in every
process; a token is remembered only after the database confirmed it, for at most `ttl` and
never past its own expiry.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from app.core.parts import ProcessPart
from app.core.time import utc_now
from app.operators.service import Channel, token_hash

# Bounds memory against floods of forged OperatorIDs or tokens: the maps are simply reset.
_MAX_ENTRIES = 10_000


class OperatorCache:
    def __init__(self, *, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._channels: dict[str, tuple[Channel | None, float]] = {}
        self._tokens: dict[str, tuple[int, datetime]] = {}

    async def channel(
        self, operator_id: str, load: Callable[[], Awaitable[Channel | None]]
    ) -> Channel | None:
        cached = self._channels.get(operator_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        channel = await load()
        if len(self._channels) >= _MAX_ENTRIES:
            self._channels.clear()
        # Unknown operators are cached too: forged OperatorIDs cost one read per ttl.
        self._channels[operator_id] = (channel, time.monotonic() + self.ttl)
        return channel

    async def token_is_valid(
        self,
        channel: Channel,
        token: str,
        expiry: Callable[[], Awaitable[datetime | None]],
    ) -> bool:
        key, now = token_hash(token), utc_now()
        known = self._tokens.get(key)
        if known is not None and known[0] == channel.operator_pk and known[1] > now:
            return True
        expires_at = await expiry()
        if expires_at is None:
            return False
        if len(self._tokens) >= _MAX_ENTRIES:
            self._tokens.clear()
        self._tokens[key] = (
            channel.operator_pk,
            min(expires_at, now + timedelta(seconds=self.ttl)),
        )
        return True


# Operator keys and live tokens for the T/CEC receivers of this process.
OPERATOR_CACHE: ProcessPart[OperatorCache] = ProcessPart("operator_cache")
