"""Uptime of connectors and piles (JSON or CSV).

Guarded by `status:read`, not `energy:read`: the figures are a summary of the status history
that `/v1/connectors/{id}/history` already serves under `status:read`, and none of it comes
from sessions or energy. Every tier and vendors hold both scopes by default.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.deps import StatusRead
from app.core.deps import SETTINGS, SessionDep
from app.core.tabular import analytics_responses, negotiate
from app.energy.router import FromQuery, ToQuery
from app.jurisdictions.schemas import AreaQuery
from app.uptime import service
from app.uptime.schemas import UptimeReport

router = APIRouter(tags=["uptime"])


@router.get("/uptime", response_class=Response, responses=analytics_responses(UptimeReport))
async def get_uptime(
    request: Request,
    session: SessionDep,
    principal: StatusRead,
    area: AreaQuery = None,
    first: FromQuery = None,
    last: ToQuery = None,
) -> Response:
    """NEVI-style uptime µ = (T − (T_outage − T_excluded)) / T per connector and pile, with the
    UK-style classification of time by status, fault counts and mean time to repair. Outages
    inside alerts resolved with an `outage_reason` are excluded. By default the 30 days before
    today."""
    settings = SETTINGS.of(request)
    report = await service.uptime_report(
        session, principal, area=area, first=first, last=last, settings=settings.energy,
        offline_grace=settings.colour.offline_grace,
    )  # fmt: skip
    return negotiate(request, report, filename="uptime")
