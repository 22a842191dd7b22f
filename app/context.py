"""The composition root: the process-wide objects of one API process, built from the domains'
parts and installed in their slots on `app.state` (app/core/parts.py), next to `app.main`.

Nothing below this module imports it: each domain reads its own object from its own slot.
Only the top (main's lifespan, GraphQL, which serves every domain from one context, and the
tests) holds the whole context. docs/architecture.md draws where this sits.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import HTTPConnection

from app.auth.ratelimit import API_LIMITER, TOKEN_LIMITER, RateLimiter
from app.auth.trust import AUTH_STATE, AuthState
from app.auth.verifier import TOKEN_VERIFIER, TokenVerifier
from app.board.snapshots import SNAPSHOTS, SnapshotCache
from app.core.config import Settings
from app.core.db import Database
from app.core.deps import DATABASE, SETTINGS, VAULT
from app.core.vault import SecretVault
from app.events.feed import EVENT_FEED, EventFeed
from app.operators.cache import OPERATOR_CACHE, OperatorCache
from app.status.batcher import STATUS_BATCHER, StatusBatcher


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

    def install(self, app: Starlette) -> None:
        """Put each object in its domain's slot, and the whole context where the top reads it."""
        SETTINGS.install(app, self.settings)
        DATABASE.install(app, self.database)
        VAULT.install(app, self.vault)
        SNAPSHOTS.install(app, self.snapshots)
        OPERATOR_CACHE.install(app, self.operators)
        STATUS_BATCHER.install(app, self.status_batcher)
        AUTH_STATE.install(app, self.auth)
        TOKEN_VERIFIER.install(app, self.tokens)
        API_LIMITER.install(app, self.api_limiter)
        TOKEN_LIMITER.install(app, self.token_limiter)
        EVENT_FEED.install(app, self.events)
        app.state.context = self


def build_context(settings: Settings, database: Database) -> AppContext:
    """The context of one API process on `database`."""
    vault = SecretVault(settings.secret_key.get_secret_value())
    return AppContext(
        settings=settings,
        database=database,
        snapshots=SnapshotCache(max_age=settings.snapshot_max_age.total_seconds()),
        vault=vault,
        operators=OperatorCache(ttl=settings.operator_cache_ttl.total_seconds()),
        status_batcher=StatusBatcher(database, settings.colour),
        auth=AuthState(
            database, vault, refresh_every=settings.auth_refresh_interval.total_seconds()
        ),
        tokens=TokenVerifier(settings),
        api_limiter=RateLimiter(settings.api_rate),
        token_limiter=RateLimiter(settings.token_rate),
        events=EventFeed(database, poll_interval=settings.event_poll_interval.total_seconds()),
    )


def app_context(connection: HTTPConnection) -> AppContext:
    """The whole context (GraphQL and tests; domain routes read their own slots)."""
    context: AppContext = connection.app.state.context
    return context
