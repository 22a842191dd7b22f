"""AccessTokens the simulator issues to the hub (query_token, S1 App. A; ref §2).

Random, held in memory only, valid for `ttl` of wall-clock time (tokens are about security,
not about the simulated world), at most 7 days as the protocol requires.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from app.core.time import utc_now

MAX_TTL = timedelta(days=7)  # "最长不应超过7天" (S1 §5.3)


class TokenStore:
    def __init__(
        self, *, ttl: timedelta = timedelta(hours=2), wall: Callable[[], datetime] = utc_now
    ) -> None:
        if not timedelta(0) < ttl <= MAX_TTL:
            raise ValueError("token lifetime must be positive and at most 7 days")
        self.ttl = ttl
        self._wall = wall
        self._tokens: dict[str, tuple[str, datetime]] = {}  # token -> (operator, expiry)

    def issue(self, operator_id: str) -> tuple[str, int]:
        """A new token for the operator and its lifetime in seconds."""
        now = self._wall()
        self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now}  # forget expired
        token = secrets.token_urlsafe(32)
        self._tokens[token] = (operator_id, now + self.ttl)
        return token, int(self.ttl.total_seconds())

    def valid(self, operator_id: str, token: str) -> bool:
        for known, (owner, expires) in self._tokens.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return owner == operator_id and expires > self._wall()
        return False

    def revoke_all(self) -> None:
        """Forget every token (a platform restart), so the hub must ask again (4002)."""
        self._tokens.clear()
