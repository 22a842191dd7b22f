from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.auth.deps import StatusRead
from app.core.deps import LogPageDep, SessionDep
from app.core.pagination import MAX_REGISTRY_ID
from app.core.problem import problem_responses
from app.status import service
from app.status.schemas import StatusHistoryPage

router = APIRouter(tags=["status"])


@router.get(
    "/connectors/{connector_id}/history",
    response_model=StatusHistoryPage,
    responses=problem_responses(400, 404, 422),
)
async def get_connector_history(
    connector_id: Annotated[int, Path(ge=1, le=MAX_REGISTRY_ID)],
    session: SessionDep,
    principal: StatusRead,
    page: LogPageDep,
) -> StatusHistoryPage:
    """List a connector's status changes, newest first (late reports marked not applied)."""
    return await service.connector_history(session, principal, connector_id=connector_id, page=page)
