"""Guidance: off-peak charging (错时错峰) and siting, per community (JSON or CSV)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.auth.deps import EnergyRead
from app.core.deps import SETTINGS, SessionDep
from app.core.tabular import analytics_responses, negotiate
from app.energy.router import FromQuery, ToQuery
from app.guidance import service
from app.guidance.schemas import OffPeakGuidance, SitingInsight
from app.jurisdictions.schemas import AreaQuery

router = APIRouter(tags=["guidance"])


@router.get(
    "/guidance/off-peak", response_class=Response, responses=analytics_responses(OffPeakGuidance)
)
async def get_off_peak_guidance(
    request: Request,
    session: SessionDep,
    principal: EnergyRead,
    area: AreaQuery = None,
    first: FromQuery = None,
    last: ToQuery = None,
) -> Response:
    """Per community: peak-hour load share, valley headroom and idle capacity, and a
    recommendation: which communities are congested in which hours, which have room in which
    windows, and where owners could shift to. By default the 30 days before today."""
    guidance = await service.off_peak_guidance(
        session, principal, area=area, first=first, last=last,
        settings=SETTINGS.of(request).energy,
    )  # fmt: skip
    return negotiate(request, guidance, filename="off-peak")


@router.get(
    "/guidance/siting", response_class=Response, responses=analytics_responses(SitingInsight)
)
async def get_siting_insight(
    request: Request,
    session: SessionDep,
    principal: EnergyRead,
    area: AreaQuery = None,
    first: FromQuery = None,
    last: ToQuery = None,
) -> Response:
    """Communities ranked by demand pressure (occupancy, share of time no pile was free,
    energy per pile), with the figures behind each rank. By default the 30 days before
    today."""
    insight = await service.siting_insight(
        session, principal, area=area, first=first, last=last,
        settings=SETTINGS.of(request).energy,
    )  # fmt: skip
    return negotiate(request, insight, filename="siting")
