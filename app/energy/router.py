"""Energy: kWh, sessions and the time-of-use split of an area, by day or month (JSON or CSV)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.auth.deps import EnergyRead
from app.core.deps import SETTINGS, SessionDep
from app.core.tabular import analytics_responses, negotiate
from app.core.time import local_date
from app.energy import service
from app.energy.ranges import Granularity
from app.energy.schemas import EnergyReport, GroupBy
from app.jurisdictions.schemas import AreaQuery

router = APIRouter(tags=["energy"])

FromQuery = Annotated[
    date | None, Query(alias="from", description=local_date("First day (default: a range back)."))
]
ToQuery = Annotated[date | None, Query(alias="to", description=local_date("Last day, included."))]


@router.get("/energy", response_class=Response, responses=analytics_responses(EnergyReport))
async def get_energy(
    request: Request,
    session: SessionDep,
    principal: EnergyRead,
    area: AreaQuery = None,
    granularity: Granularity = Granularity.DAY,
    first: FromQuery = None,
    last: ToQuery = None,
    group_by: GroupBy = GroupBy.COMMUNITY,
) -> Response:
    """Energy of an area per group and local day or month, split by time-of-use period.

    Days are Asia/Shanghai days; a month bucket sums the range's days in that month. At most
    400 days by day and 36 months by month (configurable). Send `Accept: text/csv` for CSV.
    """
    report = await service.energy_report(
        session, principal, area=area, granularity=granularity, first=first, last=last,
        group_by=group_by, settings=SETTINGS.of(request).energy,
    )  # fmt: skip
    return negotiate(request, report, filename="energy")
