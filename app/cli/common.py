"""What every `pilehub` command shares: the console, the settings, a database for one
coroutine, and stopping on signals.

The command modules import this one; it imports none of them (nor the package root).
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.logging import configure_logging

T = TypeVar("T")

console = Console()


def load_settings() -> Settings:
    settings = get_settings()
    configure_logging(level=settings.log_level, json=settings.json_logs)
    return settings


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, so long-running commands stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` with a database opened on the configured URL, disposed of afterwards."""
    database = Database(settings.database_url)
    try:
        return await work(database)
    finally:
        await database.dispose()


async def in_session(
    settings: Settings, work: Callable[[AsyncSession], Awaitable[T]], *, write: bool = False
) -> T:
    """Run `work` in one session (one transaction) of a database opened for it."""

    async def run(database: Database) -> T:
        async with database.session(write=write) as session:
            return await work(session)

    return await with_database(settings, run)


def run_refusable(
    work: Callable[[AsyncSession, Settings], Awaitable[T]],
    *,
    refusals: tuple[type[Exception], ...],
    missing: str,
    hint: str = "",
    write: bool = True,
) -> T:
    """Run `work` in one transaction; a refusal (one of `refusals`) or a `LookupError` is
    printed as a one-line reason and exits with status 2 instead of a traceback."""
    settings = load_settings()

    async def run(session: AsyncSession) -> T:
        return await work(session, settings)

    try:
        return asyncio.run(in_session(settings, run, write=write))
    except refusals as refused:
        console.print(f"[red]refused:[/red] {refused}")
        raise typer.Exit(2) from None
    except LookupError as not_found:
        console.print(f"[red]{missing}:[/red] {not_found}{hint}")
        raise typer.Exit(2) from None
