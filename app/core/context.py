"""What every request may need from the process: settings, the database, read caches."""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.ratelimit import RateLimiter
from app.auth.state import AuthState
from app.auth.verifier import TokenVerifier
from app.core.config import Settings
from app.core.db import Database
from app.core.snapshots import SnapshotCache
from app.events.feed import EventFeed
from app.operators.cache import OperatorCache
from app.operators.vault import SecretVault
from app.status.batcher import StatusBatcher


@dataclass(frozen=True, slots=True)
class AppContext:
    settings: Settings
    database: Database
    snapshots: SnapshotCache
    vault: SecretVault
    # Operator keys and live tokens for the T/CEC receivers (see app/operators/cache.py).
    operators: OperatorCache
    # Group commit of pushed statuses (see app/status/batcher.py).
    status_batcher: StatusBatcher
    # OAuth2: keys, denylist and disabled clients (refreshed), verified-token cache, limits.
    auth: AuthState
    tokens: TokenVerifier
    api_limiter: RateLimiter
    token_limiter: RateLimiter
    # The change log, followed once per process for server-sent events.
    events: EventFeed
