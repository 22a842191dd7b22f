"""`pilehub demo`: one process with migrations, demo data, the API, the worker loop, the
State Grid simulator (connected to the hub over T/CEC 102 on loopback like a real operator)
and a WeCom robot receiver that prints each community's alert messages."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import uvicorn
from rich.console import Console
from rich.table import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import city_principal
from app.board import areas as board_areas
from app.core.config import Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.core.vault import SecretVault
from app.core.websocket import UVICORN_WEBSOCKET
from app.demo.clients import ensure_demo_clients, write_credentials
from app.demo.robots import ensure_demo_robots, run_robot_receiver, with_local_robots
from app.demo.screens import run_screen_enroller
from app.demo.seed import seed_demo
from app.main import create_app
from app.operators import service as operators_service
from app.operators.schemas import OperatorOnboard
from app.simulator.credentials import (
    STATE_GRID_NAME,
    STATE_GRID_OPERATOR_ID,
    onboarding_document,
)
from app.simulator.process import run_simulator
from app.worker import run_worker

BEIXINJING = "310105011"


async def run_demo(
    settings: Settings,
    console: Console,
    *,
    port: int,
    serve: bool,
    simulator_port: int | None,
    speed: float = 60.0,
    robot_port: int = 9200,
    liveliness: float = 1.0,
) -> None:
    """Set up and (with `serve`) run the demo. Without a simulator, statuses are synthetic."""
    settings = with_local_robots(settings)
    database = Database(settings.database_url)
    try:
        await upgrade(database.engine)
        async with database.session(write=True) as session:
            await seed_demo(session, settings, statuses=simulator_port is None)
            if simulator_port is not None:
                await _connect_simulator(session, settings, simulator_port)
            credentials = await ensure_demo_clients(session, settings)
            await ensure_demo_robots(session, settings, robot_port)
        write_credentials(settings.demo_clients_file, credentials)
        await _print_summary(database, settings, console, port, simulator_port)
        _print_clients(console, settings, port, credentials)
        console.print(
            f"Each community's WeCom group robot posts to a local receiver on "
            f"http://{settings.host}:{robot_port}/ that prints what it gets (GET /v1/channels)."
        )
        if serve:
            await _serve(
                database, settings, port, simulator_port, speed, robot_port, console, liveliness
            )
    finally:
        await database.dispose()


async def _connect_simulator(session: AsyncSession, settings: Settings, port: int) -> None:
    """Onboard the simulator as operator MA002TMQX, as `pilehub operators add` would."""
    data = OperatorOnboard.model_validate(
        {
            "operator_id": STATE_GRID_OPERATOR_ID,
            "name": STATE_GRID_NAME,
            "base_url": f"http://{settings.host}:{port}/evcs/v1/",
            "pull_interval_seconds": 60,
            **onboarding_document(),
        }
    )
    vault = SecretVault(settings.secret_key.get_secret_value())
    await operators_service.onboard_operator(session, vault, data, replace=True)


async def _print_summary(
    database: Database, settings: Settings, console: Console, port: int, simulator_port: int | None
) -> None:
    principal = city_principal(settings.city_code)
    async with database.session() as session:
        city = await board_areas.get_jurisdiction(session, principal, code=settings.city_code)
        rows = []
        for district in city.children:
            node = await board_areas.get_jurisdiction(session, principal, code=district.code)
            for street in node.children:
                detail = await board_areas.get_jurisdiction(session, principal, code=street.code)
                rows.append((district, street, detail.children))
    base = f"http://{settings.host}:{port}"
    # The one URL a person needs comes first: the screen signs itself in (see _serve).
    console.print(
        f"[bold]Screen:[/bold] {base}/screen   (Beixinjing street, live; it signs itself in)",
        soft_wrap=True,
    )
    table = Table(title=f"PileHub demo — {city.name} ({city.name_en})", show_lines=False)
    for column in ("district", "street", "community", "piles", "green", "yellow", "red"):
        table.add_column(
            column, justify="right" if column in {"piles", "green", "yellow", "red"} else "left"
        )
    for district, street, communities in rows:
        for community in communities:
            counts = community.counts
            table.add_row(
                district.name,
                street.name,
                community.name,
                str(counts.total),
                str(counts.green),
                str(counts.yellow),
                str(counts.red),
            )
    console.print(table)
    console.print(
        "Beixinjing's communities and pile counts are the district's report; (synthetic) "
        "units, station and pile ids and positions are invented."
    )
    if simulator_port is not None:
        console.print(
            f"State Grid simulator (synthetic MA002TMQX) on http://{settings.host}:"
            f"{simulator_port}/evcs/v1/ pushes over T/CEC 102: colours fill in within a "
            "minute, then change every minute or two (--liveliness)."
        )
    else:
        console.print("No simulator: every status shown is synthetic.")
    console.print(f"Board API: {base}/v1/board?area={BEIXINJING}   API docs: {base}/docs")
    console.print(f"Database: {settings.database_url}")


def _print_clients(
    console: Console, settings: Settings, port: int, credentials: list[dict[str, Any]]
) -> None:
    table = Table(title="Demo OAuth2 clients (client_credentials; secrets shown only here)")
    for column in ("tier", "area", "client_id", "client_secret"):
        table.add_column(column)
    for client in credentials:
        table.add_row(client["tier"], client["area"], client["client_id"], client["client_secret"])
    console.print(table)
    console.print(f"Also written to {settings.demo_clients_file} (for scripts).")
    street = next(client for client in credentials if client["tier"] == "street")
    base = f"http://{settings.host}:{port}"
    console.print("A token as the Beixinjing street office, and its board and live changes:")
    console.print(
        f"  TOKEN=$(curl -s -u '{street['client_id']}:{street['client_secret']}' "
        f"-d grant_type=client_credentials {base}/oauth/token | "
        "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')",
        soft_wrap=True,
        markup=False,
    )
    console.print(
        f'  curl -H "Authorization: Bearer $TOKEN" "{base}/v1/board?area={BEIXINJING}"',
        soft_wrap=True,
        markup=False,
    )
    console.print(
        f'  curl -N -H "Authorization: Bearer $TOKEN" "{base}/v1/events?area={BEIXINJING}"',
        soft_wrap=True,
        markup=False,
    )


async def _serve(
    database: Database,
    settings: Settings,
    port: int,
    simulator_port: int | None,
    speed: float,
    robot_port: int,
    console: Console,
    liveliness: float,
) -> None:
    app = create_app(settings, database=database)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.host,
            port=port,
            log_config=None,
            access_log=False,
            **UVICORN_WEBSOCKET,  # as `pilehub serve`: the demo serves subscriptions too
        )
    )
    stop = asyncio.Event()
    if simulator_port is not None:
        # Let the simulator's first pushes and its 30 days of orders land before the first
        # pull, so the first daily reconciliation compares complete days.
        settings = settings.model_copy(update={"ingest_start_delay": timedelta(seconds=60)})
    tasks = [
        asyncio.create_task(run_worker(database, settings, stop)),
        asyncio.create_task(run_robot_receiver(settings, robot_port, console, stop)),
        # Demo only (no setting turns it on elsewhere): approves every screen that asks, for
        # Beixinjing, so the printed screen URL needs no admin step.
        asyncio.create_task(run_screen_enroller(database, settings.city_code, BEIXINJING, stop)),
    ]
    if simulator_port is not None:
        tasks.append(
            asyncio.create_task(
                run_simulator(
                    hub_url=f"http://{settings.host}:{port}/evcs/v1/",
                    host=settings.host,
                    port=simulator_port,
                    speed=speed,
                    liveliness=liveliness,
                    stop=stop,
                    hub_operator_id=settings.hub_operator_id,
                )
            )
        )
    try:
        await server.serve()
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
