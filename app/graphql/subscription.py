"""Subscriptions over graphql-transport-ws, fed from the change log like server-sent events.

Each event carries its id; a client that reconnects passes the last one as `since` and gets
the gap from the log, so nothing is missed across reconnects or process restarts. The caller
was authenticated at `connection_init`; the stream ends (and the socket closes with 4401)
when that token expires or is revoked.
"""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from datetime import UTC, datetime
from functools import cache, partial
from typing import Any

import strawberry
from prometheus_client import Histogram
from starlette.websockets import WebSocket
from strawberry.scalars import JSON

from app.auth.scopes import Scope
from app.auth.verifier import TokenRejected
from app.changelog.kinds import Kind
from app.core.metrics import GRAPHQL_SUBSCRIPTION_DELIVERY
from app.events.feed import FeedEvent
from app.graphql.context import GraphQLContext, GraphQLInfo
from app.graphql.permissions import scoped
from app.graphql.prerendered import sender_for
from app.graphql.scalars import AreaCode, EventId
from app.jurisdictions import service as jurisdictions_service

_BATCH = 500
# How often a quiet stream re-checks that its token was not revoked.
_RECHECK_SECONDS = 5.0
_STATUS_KINDS = frozenset({Kind.CONNECTOR_STATUS, Kind.PILE_COLOUR, Kind.PILE_MAINTENANCE})


@strawberry.type
class ChangeEvent:
    """One entry of the change log. `eventId` is what `since` takes to resume."""

    event_id: EventId
    kind: str
    occurred_at: datetime
    subject: str
    payload: JSON

    @classmethod
    def of(cls, event: FeedEvent) -> ChangeEvent:
        return cls(
            event_id=EventId(event.id), kind=event.kind, subject=str(event.data["subject"]),
            occurred_at=datetime.fromtimestamp(event.occurred_at, UTC),
            payload=event.data["payload"],
        )  # fmt: skip


def _answer(event: FeedEvent) -> dict[str, Any]:
    """Every field of the event as strawberry would answer it (scalars serialized), for
    answers rendered once per event (app.graphql.prerendered); a test holds the two together."""
    change = ChangeEvent.of(event)
    return {"__typename": "ChangeEvent", "eventId": change.event_id, "kind": change.kind,
            "occurredAt": change.occurred_at.isoformat(), "subject": change.subject,
            "payload": change.payload}  # fmt: skip


@cache  # the labelled child, looked up once per kind rather than once per message
def _delivery(kind: str) -> Histogram:
    return GRAPHQL_SUBSCRIPTION_DELIVERY.labels(kind)


_FIELDS = frozenset(("__typename", "eventId", "kind", "occurredAt", "subject", "payload"))


async def _stream(
    info: GraphQLInfo, area: str | None, since: int | None, wanted: Callable[[str], bool]
) -> AsyncGenerator[ChangeEvent, None]:
    """The area's wanted events, each yielded to strawberry to execute or, for a selection
    of plain fields over WebSocket, sent from an answer rendered once per process."""
    sender = sender_for(info, _FIELDS)
    async for batch in _follow(info.context, area, since, wanted):
        for event in batch:
            if sender is None:
                yield ChangeEvent.of(event)
            else:
                await sender.send(event.id, partial(_answer, event))
            _delivery(event.kind).observe(time.time() - event.occurred_at)


async def _follow(
    context: GraphQLContext, area: str | None, since: int | None, wanted: Callable[[str], bool]
) -> AsyncIterator[list[FeedEvent]]:
    """Batches of the area's wanted events, in id order, until the token expires or is
    revoked (then the socket is closed with 4401)."""
    app = context.app
    async with app.database.session() as session:
        visible = await jurisdictions_service.get_visible_area(session, context.caller, area)
    async with app.events.subscription():
        cursor = since if since is not None else app.events.delivered
        recheck = time.monotonic() + _RECHECK_SECONDS
        while time.time() < context.expires_at:
            if time.monotonic() >= recheck:
                if not await _token_still_valid(context):
                    break
                recheck = time.monotonic() + _RECHECK_SECONDS
            events, watermark = await app.events.events_after(cursor, visible.path, _BATCH)
            if batch := [event for event in events if wanted(event.kind)]:
                yield batch
            cursor = events[-1].id if len(events) == _BATCH else max(cursor, watermark)
            if not events:
                until_due = min(recheck - time.monotonic(), context.expires_at - time.time())
                await app.events.wait(cursor, min(1.0, max(0.0, until_due)))
    await _close(context, "the access token expired or was revoked")


async def _token_still_valid(context: GraphQLContext) -> bool:
    try:
        context.app.tokens.verify(context.token or "", await context.app.auth.current())
    except TokenRejected:
        return False
    return True


async def _close(context: GraphQLContext, reason: str) -> None:
    # Permissions run once when a subscription starts; this is what ends it later.
    if isinstance(context.request, WebSocket):
        await context.request.close(code=4401, reason=reason)


@strawberry.type
class Subscription:
    @strawberry.subscription(extensions=scoped(Scope.STATUS_READ))
    async def status_changed(
        self, info: GraphQLInfo, area: AreaCode | None = None, since: EventId | None = None
    ) -> AsyncGenerator[ChangeEvent, None]:
        """Connector statuses, pile colours and maintenance flags in the area, as committed;
        from after event `since` if given, else from now."""
        async for event in _stream(info, area, since, lambda kind: kind in _STATUS_KINDS):
            yield event

    @strawberry.subscription(extensions=scoped(Scope.ALERTS_READ))
    async def alert_changed(
        self, info: GraphQLInfo, area: AreaCode | None = None, since: EventId | None = None
    ) -> AsyncGenerator[ChangeEvent, None]:
        """Alerts opened, escalated, acknowledged, resolved or reopened in the area."""
        async for event in _stream(info, area, since, Kind.is_alert):
            yield event
