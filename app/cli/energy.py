"""`pilehub energy …`: maintenance of the energy rollups."""

from __future__ import annotations

import asyncio

import typer
from sqlmodel.ext.asyncio.session import AsyncSession

from app.cli.common import console, in_session, load_settings

energy_cli = typer.Typer(help="Energy rollups.", no_args_is_help=True)


@energy_cli.command("rebuild")
def rebuild() -> None:
    """Recompute every rollup from the stored sessions with the configured periods (after
    changing PILEHUB_ENERGY__TIME_OF_USE, or for sessions stored before rollups existed).

    One transaction: readers see the old rollups until it commits."""
    from app.energy import service

    settings = load_settings()

    async def run(session: AsyncSession) -> int:
        return await service.rebuild_rollups(session, tou=service.time_of_use(settings.energy))

    rows = asyncio.run(in_session(settings, run, write=True))
    console.print(f"[green]energy rollups rebuilt: {rows} rows[/green]")
