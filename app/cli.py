"""The `pilehub` command line."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import typer
import uvicorn
from rich.console import Console

from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.logging import configure_logging
from app.core.migrations import upgrade
from app.core.websocket import UVICORN_WEBSOCKET

cli = typer.Typer(help="PileHub: the EV charging data-sharing hub.", no_args_is_help=True)
console = Console()


def load_settings() -> Settings:
    settings = get_settings()
    configure_logging(level=settings.log_level, json=settings.json_logs)
    return settings


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, so long-running commands stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


@cli.command()
def migrate() -> None:
    """Upgrade the database schema to the newest migration."""
    settings = load_settings()

    async def run() -> None:
        database = Database(settings.database_url)
        try:
            await upgrade(database.engine)
        finally:
            await database.dispose()

    asyncio.run(run())
    console.print("[green]database migrated to head[/green]")


@cli.command()
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


@cli.command()
def worker() -> None:
    """Run the background jobs (colour sweep, operator pulls, webhook and robot delivery)
    until interrupted."""
    from app.worker import run_worker

    settings = load_settings()

    async def run() -> None:
        database = Database(settings.database_url)
        stop = _stop_on_signals()
        try:
            await run_worker(database, settings, stop)
        finally:
            await database.dispose()

    asyncio.run(run())


@cli.command()
def demo(
    port: int | None = typer.Option(None, help="Port (default 8000)."),
    serve_api: bool = typer.Option(True, "--serve/--no-serve", help="Serve after seeding."),
    simulator_port: int = typer.Option(9100, help="Port of the State Grid simulator."),
    simulator: bool = typer.Option(
        True, "--simulator/--no-simulator", help="Feed the hub from the simulator."
    ),
    speed: float = typer.Option(60.0, help="Simulated seconds per real second."),
    robot_port: int = typer.Option(9200, help="Port of the local WeCom robot receiver."),
) -> None:
    """Migrate, load the Beixinjing demo, print a summary and serve it with the worker, the
    State Grid simulator and a local WeCom robot receiver that prints alert messages."""
    from app.demo.runner import run_demo

    settings = load_settings()
    asyncio.run(
        run_demo(
            settings,
            console,
            port=port or settings.port,
            serve=serve_api,
            simulator_port=simulator_port if simulator else None,
            speed=speed,
            robot_port=robot_port,
        )
    )


simulate_cli = typer.Typer(help="Simulated operator platforms.", no_args_is_help=True)
cli.add_typer(simulate_cli, name="simulate")


@simulate_cli.command("stategrid")
def simulate_stategrid(
    hub_url: str = typer.Option(
        "http://127.0.0.1:8000/evcs/v1/", help="The hub's T/CEC interface root."
    ),
    port: int = typer.Option(9100, help="Port the simulated platform listens on."),
    seed: int = typer.Option(2022, help="Random seed (same seed, same history)."),
    speed: float = typer.Option(60.0, help="Simulated seconds per real second."),
    backfill_days: int = typer.Option(30, help="Days of charge orders to send first."),
    ledger: Path | None = typer.Option(None, help="Append everything sent to this JSONL file."),
) -> None:
    """Run a T/CEC 102 State Grid platform for the demo piles that pushes to the hub."""
    from app.simulator.runner import run_simulator

    settings = load_settings()

    async def run() -> None:
        stop = _stop_on_signals()
        await run_simulator(
            hub_url=hub_url,
            port=port,
            seed=seed,
            speed=speed,
            backfill_days=backfill_days,
            ledger_path=ledger,
            stop=stop,
            hub_operator_id=settings.hub_operator_id,
        )

    asyncio.run(run())


def main() -> None:
    from app.cli_clients import clients_cli, keys_cli
    from app.cli_energy import energy_cli
    from app.cli_generate import generate_cli
    from app.cli_operators import operators_cli, quarantine_cli

    cli.add_typer(operators_cli, name="operators")
    cli.add_typer(quarantine_cli, name="quarantine")
    cli.add_typer(clients_cli, name="clients")
    cli.add_typer(keys_cli, name="keys")
    cli.add_typer(energy_cli, name="energy")
    cli.add_typer(generate_cli, name="generate")
    cli()
