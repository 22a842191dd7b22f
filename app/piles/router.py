from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.auth.deps import RegistryRead
from app.core.deps import RegistryPageDep, SessionDep
from app.core.pagination import MAX_REGISTRY_ID
from app.core.problem import problem_responses
from app.jurisdictions.schemas import AREA_PATTERN, AreaQuery
from app.models.states import Colour
from app.piles import service
from app.piles.schemas import PilePage, PilePublic

router = APIRouter(tags=["piles"])


@router.get("/piles", response_model=PilePage, responses=problem_responses(400, 404, 422))
async def list_piles(
    session: SessionDep,
    principal: RegistryRead,
    page: RegistryPageDep,
    area: AreaQuery = None,
    colour: Annotated[Colour | None, Query(description="Only piles of this colour.")] = None,
    community: Annotated[
        str | None, Query(pattern=AREA_PATTERN, description="Community code.")
    ] = None,
) -> PilePage:
    """List piles with their connectors and status, in a stable order."""
    return await service.list_piles(
        session, principal, area=area, colour=colour, community=community, page=page
    )


@router.get("/piles/{pile_id}", response_model=PilePublic, responses=problem_responses(404, 422))
async def get_pile(
    pile_id: Annotated[int, Path(ge=1, le=MAX_REGISTRY_ID)],
    session: SessionDep,
    principal: RegistryRead,
) -> PilePublic:
    """Get one pile with its connectors and their current status."""
    return await service.get_pile(session, principal, pile_id=pile_id)
