"""The /v1 router: one include per domain."""

from __future__ import annotations

from fastapi import APIRouter

from app.board.router import router as board_router
from app.jurisdictions.router import router as jurisdictions_router
from app.piles.router import router as piles_router
from app.status.router import router as status_router

api_router = APIRouter(prefix="/v1")
api_router.include_router(jurisdictions_router)
api_router.include_router(board_router)
api_router.include_router(piles_router)
api_router.include_router(status_router)
