"""An area with its children and their colour counts (the drill-down of the board)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.auth.deps import RegistryRead
from app.board import areas
from app.board.schemas import JurisdictionPublic
from app.core.deps import SessionDep
from app.core.problem import problem_responses
from app.jurisdictions.schemas import AREA_PATTERN

router = APIRouter(tags=["jurisdictions"])

AreaCode = Annotated[str, Path(pattern=AREA_PATTERN, description="GB/T 2260 style code.")]


@router.get(
    "/jurisdictions/{code}",
    response_model=JurisdictionPublic,
    responses=problem_responses(404, 422),
)
async def get_jurisdiction(
    code: AreaCode, session: SessionDep, principal: RegistryRead
) -> JurisdictionPublic:
    """Get an area, its children and the board colour counts of each."""
    return await areas.get_jurisdiction(session, principal, code=code)
