"""HTTP for pre-rendered snapshot bodies: conditional GET and the cache-hit fast path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from app.board.snapshots import Snapshot


def snapshot_response(request: Request, snapshot: Snapshot, *, media_type: str) -> Response:
    """200 with the body, or 304 when the client already holds this version (RFC 9110 §13.1.2)."""
    headers = {"ETag": snapshot.etag, "Cache-Control": "no-cache"}
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and _matches(if_none_match, snapshot.etag):
        return Response(status_code=304, headers=headers)
    return Response(snapshot.body, media_type=media_type, headers=headers)


def _matches(if_none_match: str, etag: str) -> bool:
    if if_none_match.strip() == "*":
        return True
    # If-None-Match uses weak comparison: W/"x" matches "x".
    return etag in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}


FastPath = Callable[[Request], Awaitable[Response | None]]
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])


def with_fast_path(fast_path: FastPath) -> Callable[[_Endpoint], _Endpoint]:
    """Mark an endpoint of a `SnapshotRoute` router with its cache-hit fast path."""

    def mark(endpoint: _Endpoint) -> _Endpoint:
        endpoint.__dict__["snapshot_fast_path"] = fast_path
        return endpoint

    return mark


class SnapshotRoute(APIRoute):
    """A route that first tries to answer from a current snapshot, then runs as usual.

    Dashboards poll the board far more often than it changes. Resolving FastAPI's
    dependencies and validating the query costs more than the whole answer from memory, so
    the fast path answers a hit before that. It may only return what the full route would:
    the same principal resolution, the same parameter rules, and only entries the full route
    built for the same caller area. Anything else (a miss, a due version check, a parameter it
    does not recognise) returns None and the full route runs, errors and all.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        full = super().get_route_handler()
        fast_path: FastPath | None = self.endpoint.__dict__.get("snapshot_fast_path")
        if fast_path is None:
            return full

        async def handler(request: Request) -> Response:
            return await fast_path(request) or await full(request)

        return handler
