"""Utilisation: busy, charging and available connector-hours, and the hour-of-week profile."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.deps import EnergyRead
from app.core.deps import SETTINGS, SessionDep
from app.core.tabular import analytics_responses, negotiate
from app.energy.ranges import Granularity
from app.energy.router import FromQuery, ToQuery
from app.energy.schemas import GroupBy
from app.jurisdictions.schemas import AreaQuery
from app.utilisation import service
from app.utilisation.schemas import UtilisationReport

router = APIRouter(tags=["utilisation"])


@router.get(
    "/utilization", response_class=Response, responses=analytics_responses(UtilisationReport)
)
async def get_utilisation(
    request: Request,
    session: SessionDep,
    principal: EnergyRead,
    area: AreaQuery = None,
    granularity: Granularity = Granularity.DAY,
    first: FromQuery = None,
    last: ToQuery = None,
    group_by: GroupBy = GroupBy.COMMUNITY,
) -> Response:
    """Busy and charging hours ÷ available hours per group and local day or month, with the
    area's occupancy by hour of day × day of week (the answer's `definition` says how each
    figure is measured). Send `Accept: text/csv` for the rows as CSV."""
    report = await service.utilisation_report(
        session, principal, area=area, granularity=granularity, first=first, last=last,
        group_by=group_by, settings=SETTINGS.of(request).energy,
    )  # fmt: skip
    return negotiate(request, report, filename="utilization")
