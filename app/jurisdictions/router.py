from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.auth.deps import RegistryRead
from app.core.deps import SessionDep
from app.core.problem import problem_responses
from app.jurisdictions import service
from app.jurisdictions.schemas import AREA_PATTERN, JurisdictionPublic

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
    return await service.get_jurisdiction(session, principal, code=code)
