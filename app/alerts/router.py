"""Alerts: list under `alerts:read`; acknowledge and resolve under `alerts:write` (the
maintenance flag, also `alerts:write`, is a status change: app/status/router.py).
Every write is audited (app/audit/middleware.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.alerts import service
from app.alerts.schemas import Acknowledge, AlertPage, AlertPublic, AlertState, Resolve
from app.auth.deps import AlertsRead, AlertsWrite
from app.core.deps import LogPageDep, SessionDep, WriteSessionDep
from app.core.pagination import MAX_LOG_ID
from app.core.problem import problem_responses
from app.jurisdictions.schemas import AreaQuery

router = APIRouter(tags=["alerts"])
AlertId = Annotated[int, Path(ge=1, le=MAX_LOG_ID)]


@router.get("/alerts", response_model=AlertPage, responses=problem_responses(400, 404, 422))
async def list_alerts(
    session: SessionDep,
    principal: AlertsRead,
    page: LogPageDep,
    area: AreaQuery = None,
    state: Annotated[list[AlertState] | None, Query(description="Repeat for several.")] = None,
    severity: Annotated[str | None, Query(pattern="^(yellow|red)$")] = None,
) -> AlertPage:
    """Alerts of an area, newest first."""
    return await service.list_alerts(
        session, principal, area=area, states=state, severity=severity, page=page
    )


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertPublic,
             responses=problem_responses(404, 409, 422))  # fmt: skip
async def acknowledge_alert(
    alert_id: AlertId, body: Acknowledge, session: WriteSessionDep, principal: AlertsWrite
) -> AlertPublic:
    """Someone is on it: acknowledged by the caller, with a note."""
    return await service.acknowledge(session, principal, alert_id, note=body.note)


@router.post("/alerts/{alert_id}/resolve", response_model=AlertPublic,
             responses=problem_responses(404, 409, 422))  # fmt: skip
async def resolve_alert(
    alert_id: AlertId, body: Resolve, session: WriteSessionDep, principal: AlertsWrite
) -> AlertPublic:
    """Resolved by the caller, with a note and, if it should not count against uptime, the
    outage reason."""
    return await service.resolve(
        session, principal, alert_id, note=body.note, outage_reason=body.outage_reason
    )
