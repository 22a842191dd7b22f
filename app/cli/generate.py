"""`pilehub generate city`: a synthetic city for benchmarks, with a progress bar, resumable."""

from __future__ import annotations

import asyncio
from datetime import date

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from app.cli.common import console, load_settings, with_database
from app.core.db import Database
from app.core.migrations import upgrade

generate_cli = typer.Typer(help="Synthetic data.", no_args_is_help=True)


@generate_cli.command("city")
def generate_city(
    connectors: int = typer.Option(200_000, min=20, help="Connectors (20 per community)."),
    districts: int = typer.Option(16, min=1, max=16),
    streets: int = typer.Option(200, min=1),
    days: int = typer.Option(365, min=1, help="Days of sessions, ending the day before yesterday."),
    sessions: int = typer.Option(10_000_000, min=0, help="Sessions over those days."),
    seed: int = typer.Option(2026),
    from_day: int = typer.Option(0, min=0, help="First day index to write (0: the first day)."),
    to_day: int = typer.Option(
        0,
        min=0,
        help="Day index to stop before (0: all days). Processes given disjoint "
        "ranges generate one city side by side; each resumes within its range.",
    ),
) -> None:
    """Generate a synthetic city (registry and sessions, rollups included) into the configured
    database. Interrupted, it resumes: run the same command again."""
    from app.core.time import LOCAL_TZ, utc_now
    from app.generate.loader import generate_city as run_generator
    from app.generate.plan import CityPlan

    settings = load_settings()
    plan = CityPlan(connectors=connectors, districts=districts, streets=streets, days=days,
                    sessions=sessions, seed=seed)  # fmt: skip
    today: date = utc_now().astimezone(LOCAL_TZ).date()
    day_indexes = range(from_day, min(to_day or days, days))

    async def run(database: Database) -> None:
        await upgrade(database.engine)
        columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(),
                   BarColumn(), TimeRemainingColumn())  # fmt: skip
        with Progress(*columns, console=console) as bar:
            tasks = {
                "streets": bar.add_task("registry (streets)", total=plan.streets),
                "days": bar.add_task("sessions (days)", total=len(day_indexes)),
            }
            done = await run_generator(
                database, plan, today=today, energy=settings.energy,
                progress=lambda kind, n: bar.advance(tasks[kind], n), day_indexes=day_indexes,
            )  # fmt: skip
        console.print(
            f"[green]{done.streets_written} streets and {done.sessions_written} sessions over "
            f"{done.days_written} days written (resumed at day {done.resumed_from_day})[/green]"
        )

    asyncio.run(with_database(settings, run))
