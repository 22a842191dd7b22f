"""`pilehub migrate`, `pilehub serve` and `pilehub worker`: the hub's own processes."""

from __future__ import annotations

import asyncio

import typer
import uvicorn

from app.cli.common import console, load_settings, stop_on_signals, with_database
from app.core.db import Database
from app.core.migrations import upgrade
from app.core.websocket import UVICORN_WEBSOCKET


def migrate() -> None:
    """Upgrade the database schema to the newest migration."""
    settings = load_settings()

    async def run(database: Database) -> None:
        await upgrade(database.engine)

    asyncio.run(with_database(settings, run))
    console.print("[green]database migrated to head[/green]")


def serve(
    host: str | None = typer.Option(None, help="Bind address (default from settings)."),
    port: int | None = typer.Option(None, help="Port (default from settings)."),
    workers: int = typer.Option(1, min=1, help="uvicorn worker processes."),
) -> None:
    """Serve the API with uvicorn (run `pilehub migrate` first)."""
    settings = load_settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        # uvicorn kills a worker that misses its 5 s ping; one starting on a busy machine
        # (imports and schema building hold the interpreter) missed it and was killed in a
        # loop. A hung worker is still replaced, after half a minute.
        timeout_worker_healthcheck=30,
        log_config=None,
        access_log=False,
        proxy_headers=True,
        **UVICORN_WEBSOCKET,
    )


def worker() -> None:
    """Run the background jobs (colour sweep, operator pulls, webhook and robot delivery)
    until interrupted."""
    from app.worker import run_worker

    settings = load_settings()

    async def run(database: Database) -> None:
        await run_worker(database, settings, stop_on_signals())

    asyncio.run(with_database(settings, run))
