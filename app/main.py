"""The ASGI application: `create_app()` wires settings, database, routers and error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app import __version__
from app.api import api_router
from app.board.snapshots import SnapshotCache
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.logging import RequestIdMiddleware
from app.core.problem import install_problem_handlers
from app.health.router import router as health_router


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}"


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = database is None
        app.state.database = database or Database(
            settings.database_url, echo=settings.database_echo
        )
        try:
            yield
        finally:
            if owned:
                await app.state.database.dispose()

    app = FastAPI(
        title="PileHub",
        version=__version__,
        description=(
            "Data-sharing hub for EV charging infrastructure: one truth for the city, "
            "district and street tiers. Errors are RFC 9457 problem+json."
        ),
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    if database is not None:
        app.state.database = database
    app.state.snapshots = SnapshotCache()
    install_problem_handlers(app)
    app.include_router(health_router)
    app.include_router(api_router)
    app.add_middleware(RequestIdMiddleware, access_log=settings.access_log)
    return app
