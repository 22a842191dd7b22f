from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.deps import StatusRead, guard
from app.auth.principal import Principal
from app.auth.scopes import Scope
from app.board import service
from app.board.schemas import Board, PileFeatureCollection
from app.board.snapshot_http import FastPath, SnapshotRoute, snapshot_response, with_fast_path
from app.board.snapshots import SNAPSHOTS, Snapshot
from app.core.deps import DATABASE, SETTINGS
from app.core.problem import problem_responses
from app.jurisdictions.schemas import AREA_PATTERN, AreaQuery

router = APIRouter(tags=["board"], route_class=SnapshotRoute)
_status_reader = guard(Scope.STATUS_READ)  # the fast path checks what StatusRead checks

_AREA = re.compile(AREA_PATTERN)
Peek = Callable[[Request, Principal, str | None], Snapshot | None]


def _fast_path(peek: Peek, media_type: str) -> FastPath:
    """Answer from a current snapshot when the query is nothing but a valid `area`."""

    async def fresh(request: Request) -> Response | None:
        params = request.query_params
        area = params.get("area")
        if len(params) > (area is not None) or (area is not None and not _AREA.fullmatch(area)):
            return None  # the full route judges everything else
        snapshot = peek(request, await _status_reader(request), area)
        if snapshot is None:
            return None
        return snapshot_response(request, snapshot, media_type=media_type)

    return fresh


def _peek_board(request: Request, principal: Principal, area: str | None) -> Snapshot | None:
    max_piles = SETTINGS.of(request).board_max_piles
    return service.peek_board(
        principal, area=area, cache=SNAPSHOTS.of(request), max_piles=max_piles
    )


def _peek_map(request: Request, principal: Principal, area: str | None) -> Snapshot | None:
    return service.peek_map(principal, area=area, cache=SNAPSHOTS.of(request))


@router.get(
    "/board",
    response_class=Response,
    responses=problem_responses(404, 422, ok=(Board, "application/json")),
)
@with_fast_path(_fast_path(_peek_board, "application/json"))
async def get_board(request: Request, principal: StatusRead, area: AreaQuery = None) -> Response:
    """Get the big-screen board: counts by colour and each pile with its colour.

    Send the last `ETag` as `If-None-Match` to get 304 when nothing changed.
    """
    snapshot = await service.board_json(
        DATABASE.of(request),
        principal,
        area=area,
        cache=SNAPSHOTS.of(request),
        max_piles=SETTINGS.of(request).board_max_piles,
    )
    return snapshot_response(request, snapshot, media_type="application/json")


@router.get(
    "/map",
    response_class=Response,
    responses=problem_responses(404, 422, ok=(PileFeatureCollection, "application/geo+json")),
)
@with_fast_path(_fast_path(_peek_map, "application/geo+json"))
async def get_map(request: Request, principal: StatusRead, area: AreaQuery = None) -> Response:
    """Get the piles of an area as GeoJSON (WGS84), coloured by board colour."""
    snapshot = await service.map_json(
        DATABASE.of(request), principal, area=area, cache=SNAPSHOTS.of(request)
    )
    return snapshot_response(request, snapshot, media_type="application/geo+json")
