"""`pilehub demo`: the Beixinjing demo in one process."""

from __future__ import annotations

import asyncio

import typer

from app.cli.common import console, load_settings


def demo(
    port: int | None = typer.Option(None, help="Port (default 8000)."),
    serve_api: bool = typer.Option(True, "--serve/--no-serve", help="Serve after seeding."),
    simulator_port: int = typer.Option(9100, help="Port of the State Grid simulator."),
    simulator: bool = typer.Option(
        True, "--simulator/--no-simulator", help="Feed the hub from the simulator."
    ),
    speed: float = typer.Option(60.0, help="Simulated seconds per real second."),
    robot_port: int = typer.Option(9200, help="Port of the local WeCom robot receiver."),
    liveliness: float = typer.Option(
        1.0,
        min=0.0,
        help="The simulator's live quick faults and outages, as a multiple of the demo's "
        "rate; 0: as quiet as its history.",
    ),
) -> None:
    """Migrate, load the Beixinjing demo, print a summary and serve it with the worker, the
    State Grid simulator and a local WeCom robot receiver that prints alert messages."""
    from app.demo.process import run_demo

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
            liveliness=liveliness,
        )
    )
