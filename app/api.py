"""The /v1 API: each domain router mounted under /v1.

They are included one by one rather than through a parent router: FastAPI matches nested
routers level by level, and the board is the route dashboards poll hardest, so it goes first.
"""

from __future__ import annotations

from fastapi import FastAPI

from app.alerts.router import router as alerts_router
from app.audit.router import router as audit_router
from app.auth.admin_router import router as clients_router
from app.board.router import router as board_router
from app.events.router import router as events_router
from app.jurisdictions.router import router as jurisdictions_router
from app.operators.router import router as operators_router
from app.piles.router import router as piles_router
from app.sessions.router import router as sessions_router
from app.status.router import router as status_router
from app.webhooks.router import router as webhooks_router

V1_ROUTERS = [
    board_router,
    jurisdictions_router,
    piles_router,
    status_router,
    operators_router,
    clients_router,
    sessions_router,
    audit_router,
    alerts_router,
    events_router,
    webhooks_router,
]


def include_v1(app: FastAPI) -> None:
    for router in V1_ROUTERS:
        app.include_router(router, prefix="/v1")
