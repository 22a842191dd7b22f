"""`pilehub simulate stategrid`: a simulated operator platform."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from app.cli.common import load_settings, stop_on_signals

simulate_cli = typer.Typer(help="Simulated operator platforms.", no_args_is_help=True)


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
    liveliness: float = typer.Option(
        1.0,
        min=0.0,
        help="Live quick faults and outages, as a multiple of the demo's rate (a colour "
        "change every minute or two on Beixinjing's board); 0: as quiet as the history.",
    ),
) -> None:
    """Run a T/CEC 102 State Grid platform for the demo piles that pushes to the hub."""
    from app.simulator.process import run_simulator

    settings = load_settings()

    async def run() -> None:
        await run_simulator(
            hub_url=hub_url,
            port=port,
            seed=seed,
            speed=speed,
            backfill_days=backfill_days,
            ledger_path=ledger,
            liveliness=liveliness,
            stop=stop_on_signals(),
            hub_operator_id=settings.hub_operator_id,
        )

    asyncio.run(run())
