from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.core.deps import SessionDep, SettingsDep
from app.core.metrics import metrics
from app.health import service
from app.health.schemas import Liveness, Readiness

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(request: Request) -> Response:
    """Prometheus text format: this process's counters and latency histograms."""
    return await metrics(request)


@router.get("/healthz", response_model=Liveness)
async def healthz() -> Liveness:
    """Report that the process is alive (no dependencies checked)."""
    return Liveness()


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Report whether the database answers and its schema is migrated to head."""
    readiness = await service.check_readiness(session, settings)
    return JSONResponse(readiness.model_dump(), status_code=200 if readiness.ready else 503)
