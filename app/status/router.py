from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app.auth.deps import AlertsWrite, StatusRead
from app.core.deps import LogPageDep, SessionDep, SettingsDep, WriteSessionDep
from app.core.pagination import MAX_REGISTRY_ID
from app.core.problem import problem_responses
from app.status import service
from app.status.schemas import Maintenance, StatusHistoryPage

router = APIRouter()  # tags per route: the maintenance flag is shown with the alerts


@router.get(
    "/connectors/{connector_id}/history",
    tags=["status"],
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


# Under the alerts tag, where a dashboard looks for it: the flag opens or resolves an alert.
@router.post("/piles/{pile_id}/maintenance", status_code=204, tags=["alerts"],
             responses=problem_responses(404, 422))  # fmt: skip
async def set_maintenance(
    pile_id: Annotated[int, Path(ge=1, le=MAX_REGISTRY_ID)],
    body: Maintenance,
    session: WriteSessionDep,
    settings: SettingsDep,
    principal: AlertsWrite,
) -> None:
    """Flag a pile for maintenance (red on the board, an alert) or clear the flag."""
    await service.set_maintenance(
        session, principal, pile_id=pile_id, flagged=body.flagged, note=body.note,
        rules=settings.colour,
    )  # fmt: skip
