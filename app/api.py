"""The routes, in the order requests are matched against them.

FastAPI tries every route of every included router in turn (no prefix short-cut), and a
failed match is not free, so the hottest routes go first: the board (what dashboards poll),
then the T/CEC receivers (every operator push; behind all of /v1 they spent a fifth of
their CPU in routing), then the rest of /v1. Domain routers are included one by one rather
than through a parent router: FastAPI matches nested routers level by level.
"""

from __future__ import annotations

from fastapi import FastAPI

from app.alerts.router import router as alerts_router
from app.audit.router import router as audit_router
from app.board.areas_router import router as jurisdictions_router
from app.board.router import router as board_router
from app.energy.router import router as energy_router
from app.events.router import router as events_router
from app.guidance.router import router as guidance_router
from app.ingest.admin_router import router as quarantine_router
from app.ingest.router import router as tcec_router
from app.oauth.admin_router import router as clients_router
from app.oauth.screens_router import router as screens_router
from app.operators.router import router as operators_router
from app.piles.router import router as piles_router
from app.sessions.router import router as sessions_router
from app.status.router import router as status_router
from app.uptime.router import router as uptime_router
from app.utilisation.router import router as utilisation_router
from app.webhooks.router import router as webhooks_router

V1_ROUTERS = [
    jurisdictions_router,
    piles_router,
    status_router,
    operators_router,
    quarantine_router,
    clients_router,
    screens_router,
    sessions_router,
    audit_router,
    alerts_router,
    events_router,
    energy_router,
    utilisation_router,
    guidance_router,
    uptime_router,
    webhooks_router,
]


def include_hot_routes(app: FastAPI) -> None:
    """The board, the T/CEC receivers, then the rest of /v1."""
    app.include_router(board_router, prefix="/v1")
    app.include_router(tcec_router)
    for router in V1_ROUTERS:
        app.include_router(router, prefix="/v1")
