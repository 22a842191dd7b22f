"""The process context: settings, the database and the read caches every request may need,
assembled here, next to `app.main`, from the domains' parts (the composition root; `app.core`
knows none of them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

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


def app_context(request: HTTPConnection) -> AppContext:
    """The process context, for hot routes that take `Request` instead of one more dependency."""
    context: AppContext = request.app.state.context
    return context


async def get_context(request: Request) -> AppContext:
    return app_context(request)


ContextDep = Annotated[AppContext, Depends(get_context)]
