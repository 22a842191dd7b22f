"""`pilehub demo`: one process with migrations, demo data, the API and the worker loop."""

from __future__ import annotations

import asyncio

import uvicorn
from rich.console import Console
from rich.table import Table

from app.auth.principal import city_principal
from app.core.config import Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.demo.seed import seed_demo
from app.jurisdictions import service as jurisdictions_service
from app.main import create_app
from app.worker import run_worker

BEIXINJING = "310105011"


async def run_demo(settings: Settings, console: Console, *, port: int, serve: bool) -> None:
    database = Database(settings.database_url)
    try:
        await upgrade(database.engine)
        async with database.session(write=True) as session:
            await seed_demo(session, settings)
        await _print_summary(database, settings, console, port)
        if serve:
            await _serve(database, settings, port)
    finally:
        await database.dispose()


async def _print_summary(
    database: Database, settings: Settings, console: Console, port: int
) -> None:
    principal = city_principal(settings.city_code)
    async with database.session() as session:
        city = await jurisdictions_service.get_jurisdiction(
            session, principal, code=settings.city_code
        )
        rows = []
        for district in city.children:
            node = await jurisdictions_service.get_jurisdiction(
                session, principal, code=district.code
            )
            for street in node.children:
                detail = await jurisdictions_service.get_jurisdiction(
                    session, principal, code=street.code
                )
                rows.append((district, street, detail.children))
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
    base = f"http://{settings.host}:{port}"
    console.print(
        "Beixinjing's three communities and their pile counts are from the district's report; "
        "units marked (synthetic) are invented neighbours. "
        "Station and pile ids, positions and every status are synthetic until the State Grid "
        "simulator feeds real ones."
    )
    console.print(f"Board:  {base}/v1/board?area={BEIXINJING}")
    console.print(f"Map:    {base}/v1/map?area={BEIXINJING}")
    console.print(f"Piles:  {base}/v1/piles?area={BEIXINJING}")
    console.print(f"API docs: {base}/docs   Database: {settings.database_url}")


async def _serve(database: Database, settings: Settings, port: int) -> None:
    app = create_app(settings, database=database)
    server = uvicorn.Server(
        uvicorn.Config(app, host=settings.host, port=port, log_config=None, access_log=False)
    )
    stop = asyncio.Event()
    worker = asyncio.create_task(run_worker(database, settings, stop))
    try:
        await server.serve()
    finally:
        stop.set()
        await worker
