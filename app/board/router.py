from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.auth.deps import PrincipalDep
from app.board import service
from app.board.schemas import Board, PileFeatureCollection
from app.core.deps import ContextDep
from app.core.problem import problem_responses

router = APIRouter(tags=["board"])

AreaQuery = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{6,12}$", description="Area code; defaults to the caller's area."),
]


@router.get(
    "/board",
    response_class=Response,
    responses=problem_responses(404, 422, ok=(Board, "application/json")),
)
async def get_board(
    context: ContextDep,
    principal: PrincipalDep,
    area: AreaQuery = None,
) -> Response:
    """Get the big-screen board: counts by colour and each pile with its colour."""
    body = await service.board_json(
        context.database,
        principal,
        area=area,
        cache=context.snapshots,
        max_piles=context.settings.board_max_piles,
    )
    return Response(body, media_type="application/json")


@router.get(
    "/map",
    response_class=Response,
    responses=problem_responses(404, 422, ok=(PileFeatureCollection, "application/geo+json")),
)
async def get_map(
    context: ContextDep,
    principal: PrincipalDep,
    area: AreaQuery = None,
) -> Response:
    """Get the piles of an area as GeoJSON (WGS84), coloured by board colour."""
    body = await service.map_json(context.database, principal, area=area, cache=context.snapshots)
    return Response(body, media_type="application/geo+json")
