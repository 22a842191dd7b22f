"""The ASGI application: `create_app()` wires settings, database, routers and error handlers.

How the packages fit together (layers, the path of a push and of a board read):
docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app import __version__
from app.api import include_hot_routes
from app.audit.middleware import AuditMiddleware
from app.context import build_context
from app.core.config import Environment, Settings, get_settings
from app.core.db import Database
from app.core.gc_freeze import freeze_startup_heap
from app.core.logging import RequestIdMiddleware
from app.core.problem import install_problem_handlers
from app.core.time import INSTANT, LOCAL_DATE
from app.graphql.router import install_graphql
from app.health.router import router as health_router
from app.oauth.device_page import router as device_page_router
from app.oauth.router import router as oauth_router
from app.screen.router import router as screen_router


def _operation_id(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}"


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    """The app; a `database` passed in stays owned (and disposed) by the caller."""
    settings = settings or get_settings()
    owned = database is None
    # Creating the engine opens no connection; the first query does.
    database = database or Database(settings.database_url, echo=settings.database_echo)
    context = build_context(settings, database)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        freeze_startup_heap(settings)
        try:
            yield
        finally:
            if owned:
                await context.database.dispose()

    production = settings.env is Environment.PRODUCTION
    app = FastAPI(
        title="PileHub",
        version=__version__,
        description=(
            "Data-sharing hub for EV charging infrastructure: one truth for the city, "
            "district and street tiers. Errors are RFC 9457 problem+json. Times are of two "
            f"kinds, and each field and parameter says which. {INSTANT} {LOCAL_DATE} CSV "
            "writes instants in Asia/Shanghai (+08:00)."
        ),
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        # The interactive docs and the live schema are for development; production publishes
        # the committed contract (openapi/openapi.json) instead of serving it unauthenticated.
        docs_url=None if production else "/docs",
        redoc_url=None if production else "/redoc",
        openapi_url=None if production else "/openapi.json",
        # The hub's metrics are Prometheus (/metrics). FastAPI's own OpenTelemetry hooks, on
        # by default, looked up the environment on every request to find no provider.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    context.install(app)
    install_problem_handlers(app)
    include_hot_routes(app)
    install_graphql(app, context)
    app.include_router(oauth_router)
    app.include_router(device_page_router)  # RFC 8628's verification URI, {issuer}/device
    app.include_router(health_router)
    app.include_router(screen_router)
    app.add_middleware(AuditMiddleware, database=database)
    app.add_middleware(RequestIdMiddleware, access_log=settings.access_log)
    return app
