"""`pilehub energy …`: maintenance of the energy rollups."""

from __future__ import annotations

import asyncio

import typer
from rich.console import Console

from app.core.db import Database

energy_cli = typer.Typer(help="Energy rollups.", no_args_is_help=True)
console = Console()


@energy_cli.command("rebuild")
def rebuild() -> None:
    """Recompute every rollup from the stored sessions with the configured periods (after
    changing PILEHUB_ENERGY__TIME_OF_USE, or for sessions stored before rollups existed).

    One transaction: readers see the old rollups until it commits."""
    from app.cli import load_settings
    from app.energy import service

    settings = load_settings()

    async def run() -> int:
        database = Database(settings.database_url)
        try:
            async with database.session(write=True) as session:
                return await service.rebuild_rollups(
                    session, tou=service.time_of_use(settings.energy)
                )
        finally:
            await database.dispose()

    rows = asyncio.run(run())
    console.print(f"[green]energy rollups rebuilt: {rows} rows[/green]")
