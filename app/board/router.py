from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.auth.deps import PrincipalDep, current_principal
from app.board import service
from app.board.schemas import Board, PileFeatureCollection
from app.core.deps import app_context
from app.core.http import SnapshotRoute, snapshot_response, with_fast_path
from app.core.problem import problem_responses

router = APIRouter(tags=["board"], route_class=SnapshotRoute)

AREA_PATTERN = r"^[0-9]{6,12}$"
_AREA = re.compile(AREA_PATTERN)
AreaQuery = Annotated[
    str | None,
    Query(pattern=AREA_PATTERN, description="Area code; defaults to the caller's area."),
]


def _plain_area_query(request: Request) -> tuple[bool, str | None]:
    """(usable, area) when the query is nothing but a valid `area`; the full route judges
    everything else."""
    params = request.query_params
    area = params.get("area")
    if len(params) > (area is not None) or (area is not None and not _AREA.fullmatch(area)):
        return False, None
    return True, area


async def _fresh_board(request: Request) -> Response | None:
    usable, area = _plain_area_query(request)
    if not usable:
        return None
    context = app_context(request)
    principal = await current_principal(request)
    snapshot = service.peek_board(
        principal,
        area=area,
        cache=context.snapshots,
        max_piles=context.settings.board_max_piles,
    )
    if snapshot is None:
        return None
    return snapshot_response(request, snapshot, media_type="application/json")


async def _fresh_map(request: Request) -> Response | None:
    usable, area = _plain_area_query(request)
    if not usable:
        return None
    context = app_context(request)
    principal = await current_principal(request)
    snapshot = service.peek_map(principal, area=area, cache=context.snapshots)
    if snapshot is None:
        return None
    return snapshot_response(request, snapshot, media_type="application/geo+json")


@router.get(
    "/board",
    response_class=Response,
    responses=problem_responses(404, 422, ok=(Board, "application/json")),
)
@with_fast_path(_fresh_board)
async def get_board(request: Request, principal: PrincipalDep, area: AreaQuery = None) -> Response:
    """Get the big-screen board: counts by colour and each pile with its colour.

    Send the last `ETag` as `If-None-Match` to get 304 when nothing changed.
    """
    context = app_context(request)
    snapshot = await service.board_json(
        context.database,
        principal,
        area=area,
        cache=context.snapshots,
        max_piles=context.settings.board_max_piles,
    )
    return snapshot_response(request, snapshot, media_type="application/json")


@router.get(
    "/map",
    response_class=Response,
    responses=problem_responses(404, 422, ok=(PileFeatureCollection, "application/geo+json")),
)
@with_fast_path(_fresh_map)
async def get_map(request: Request, principal: PrincipalDep, area: AreaQuery = None) -> Response:
    """Get the piles of an area as GeoJSON (WGS84), coloured by board colour."""
    context = app_context(request)
    snapshot = await service.map_json(
        context.database, principal, area=area, cache=context.snapshots
    )
    return snapshot_response(request, snapshot, media_type="application/geo+json")
