"""`GET /v1/events`: server-sent events from the change log, for the caller's area.

Resumable: `?since=<event id>` or the `Last-Event-ID` header the browser's EventSource sends
on reconnect. A comment line every `heartbeat` seconds keeps proxies from closing an idle
stream. The stream ends when the caller's token expires or is revoked (reconnect with a new
one and `Last-Event-ID`: nothing is lost).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from app.auth.deps import StatusRead, bearer_token, token_expiry
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.auth.trust import AUTH_STATE
from app.auth.verifier import TOKEN_VERIFIER, TokenRejected
from app.changelog.kinds import Kind
from app.core.deps import DATABASE, SETTINGS
from app.core.errors import BadRequest
from app.core.metrics import SSE_DELIVERY, SSE_SUBSCRIBERS
from app.core.pagination import MAX_LOG_ID
from app.core.problem import problem_responses
from app.events.feed import EVENT_FEED, FeedEvent
from app.jurisdictions import service as jurisdictions_service
from app.jurisdictions.schemas import AreaQuery

router = APIRouter(tags=["events"])
_BATCH = 500


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "id / event / data lines"},
        **problem_responses(400, 404, 422),
    },
)
async def stream_events(
    request: Request,
    principal: StatusRead,
    since: Annotated[
        int | None, Query(ge=0, le=MAX_LOG_ID, description="Last event id seen.")
    ] = None,
    area: AreaQuery = None,
) -> StreamingResponse:
    """Every change in the area after `since` (or from now), as it is committed: connector
    statuses, pile colours, alerts (with `alerts:read`), sessions."""
    async with DATABASE.of(request).session() as session:
        area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    resume = since if since is not None else _last_event_id(request)
    return StreamingResponse(
        _stream(request, principal, area_row.path, resume),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _last_event_id(request: Request) -> int | None:
    header = request.headers.get("last-event-id")
    if header is None:
        return None
    if not header.isdigit() or int(header) > MAX_LOG_ID:
        raise BadRequest("Last-Event-ID must be an event id.")
    return int(header)


async def _stream(
    request: Request, principal: Principal, area_path: str, resume: int | None,
) -> AsyncIterator[bytes]:  # fmt: skip
    async with EVENT_FEED.of(request).subscription():
        SSE_SUBSCRIBERS.inc()
        try:
            async for frame in _frames(request, principal, area_path, resume):
                yield frame
        finally:
            SSE_SUBSCRIBERS.dec()


async def _frames(
    request: Request, principal: Principal, area_path: str, resume: int | None,
) -> AsyncIterator[bytes]:  # fmt: skip
    feed, heartbeat = EVENT_FEED.of(request), SETTINGS.of(request).sse_heartbeat.total_seconds()
    expires_at = token_expiry(request)
    token = bearer_token(request) or ""  # authenticated: the guard found one
    alerts = Scope.ALERTS_READ in principal.scopes
    cursor = resume if resume is not None else feed.delivered
    yield b"retry: 2000\n\n"
    beat = time.monotonic() + heartbeat
    while time.time() < expires_at:
        events, watermark = await feed.events_after(cursor, area_path, _BATCH)
        for event in events:
            if alerts or not Kind.is_alert(event.kind):
                yield _frame(event)
                SSE_DELIVERY.labels(event.kind).observe(time.time() - event.occurred_at)
        cursor = events[-1].id if len(events) == _BATCH else max(cursor, watermark)
        if events:
            continue
        if time.monotonic() >= beat:
            try:  # a revoked token or disabled client ends the stream within a beat
                TOKEN_VERIFIER.of(request).verify(token, await AUTH_STATE.of(request).current())
            except TokenRejected:
                return
            yield b": heartbeat\n\n"
            beat = time.monotonic() + heartbeat
        await feed.wait(cursor, min(1.0, max(0.0, beat - time.monotonic())))


def _frame(event: FeedEvent) -> bytes:
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (
        event.id,
        event.kind.encode(),
        orjson.dumps(event.data),
    )
