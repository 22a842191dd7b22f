"""Benchmark the board endpoint and status ingest against their floors.

Board: GET /v1/board?area=<street> on the real app (uvicorn, one worker) versus a bare
Starlette app returning the same pre-serialised bytes under the same uvicorn settings. The
bare app is the floor for "serve a cached body over HTTP", so the ratio shows what the
app's per-request work costs (session, snapshot version check, middleware, validation).
wrk runs board, bare, board; the two board runs are averaged (shared, noisy 2-core box).

Ingest: K status reports through `record_status_reports` (history, current upsert, events,
pile colours) versus a raw executemany INSERT of the same history rows into a scratch table
with status_change's columns, one write session per batch in both cases.

    python bench/board.py [--database-url URL] [--piles 1000] [--duration 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import re
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.core.config import ColourRules, Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.core.time import utc_now
from app.jurisdictions.service import ensure_jurisdiction
from app.main import create_app
from app.models import JurisdictionLevel
from app.piles.schemas import ConnectorRecord, EquipmentRecord, StationRecord
from app.piles.service import ensure_operator, register_station
from app.status.codes import state_for_tcec_code
from app.status.schemas import Outcome, StatusReport
from app.status.service import record_status_reports

OPERATOR, STREET, COMMUNITIES, CONNECTORS_PER_PILE = "MA002TMQX", "310105011", 20, 2
SEED_CODES = [1, 1, 1, 2, 3, 3, 255, 0]  # mostly idle/charging, some faulted and offline
BOARD_PATH = f"/v1/board?area={STREET}"
UVICORN: dict[str, Any] = {
    "loop": "auto",
    "http": "auto",
    "access_log": False,
    "log_level": "warning",
}
WRK = shutil.which("wrk")
BASE = utc_now() - timedelta(hours=2)  # seed time; ingest reports follow it, 100 ms apart


def _station(number: int, piles: int) -> StationRecord:
    """Community `number`'s station with every COMMUNITIES-th pile (round-robin spread)."""
    station_id = f"310105{OPERATOR}{number:04d}"
    equipment = []
    for pile in range(number, piles + 1, COMMUNITIES):
        equipment_id = f"{station_id}{pile // COMMUNITIES:03d}"
        ids = [f"{equipment_id}{c}" for c in range(1, CONNECTORS_PER_PILE + 1)]
        connectors = [ConnectorRecord(connector_id=i, power_kw=7.0) for i in ids]
        equipment.append(
            EquipmentRecord(equipment_id=equipment_id, power_kw=7.0, connectors=connectors)
        )
    return StationRecord(
        operator_id=OPERATOR,
        station_id=station_id,
        name=f"bench station {number}",
        jurisdiction_code=f"{STREET}{number:03d}",
        area_code="310105",
        synthetic=True,
        equipment=equipment,
    )


def _report(connector_id: str, code: int, observed_at: datetime) -> StatusReport:
    received_at = observed_at + timedelta(seconds=1)
    return StatusReport(
        operator_id=OPERATOR, connector_id=connector_id, code=code, observed_at=observed_at,
        received_at=received_at, source="bench",
    )  # fmt: skip


async def seed(url: str, piles: int) -> list[tuple[str, int]]:
    """Migrate, then build one street with `piles` piles; returns [(connector id, code)]."""
    database = Database(url)
    try:
        await upgrade(database.engine)
        hierarchy = [("310000", None, "city"), ("310105", "310000", "district")]
        hierarchy.append((STREET, "310105", "street"))
        hierarchy += [(f"{STREET}{n:03d}", STREET, "community") for n in range(1, COMMUNITIES + 1)]
        stations = [_station(number, piles) for number in range(1, COMMUNITIES + 1)]
        async with database.session(write=True) as session:
            for code, parent, level in hierarchy:
                level_ = JurisdictionLevel(level)
                await ensure_jurisdiction(
                    session, code=code, name=f"bench {code}", level=level_, parent_code=parent
                )
            await ensure_operator(session, operator_id=OPERATOR, name="bench operator")
            for station in stations:
                await register_station(session, station)
        connectors = [c.connector_id for s in stations for e in s.equipment for c in e.connectors]
        seeded = [(c, SEED_CODES[i % len(SEED_CODES)]) for i, c in enumerate(connectors)]
        async with database.session(write=True) as session:
            reports = [_report(connector, code, BASE) for connector, code in seeded]
            await record_status_reports(session, reports, rules=ColourRules())
        return seeded
    finally:
        await database.dispose()


def serve(port: int, url: str | None, body: bytes) -> None:
    """Child process: the real app when `url` is given, else the bare Starlette floor."""
    if url is not None:
        settings = Settings(database_url=url, access_log=False, log_level="WARNING")
        app: Any = create_app(settings)  # the app owns (and disposes) its Database
    else:

        async def board(_request: Request) -> Response:
            return Response(body, media_type="application/json")

        app = Starlette(routes=[Route("/v1/board", board)])
    uvicorn.run(app, host="127.0.0.1", port=port, **UVICORN)


def start(processes: list[Any], url: str | None, body: bytes = b"") -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = multiprocessing.get_context("spawn").Process(target=serve, args=(port, url, body))
    process.start()
    processes.append(process)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/v1/board", timeout=1).status_code < 500:
                return base + BOARD_PATH
        except httpx.TransportError:
            pass
        if not process.is_alive():
            raise SystemExit(f"server on port {port} exited with {process.exitcode}")
        time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not come up")


def load(url: str, args: argparse.Namespace) -> float:
    """Requests/s from wrk (or from the httpx fallback)."""
    if WRK is None:
        return asyncio.run(httpx_load(url, args.connections, args.duration))
    command = [WRK, "-t1", f"-c{args.connections}", f"-d{args.duration}s", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw errors:\n{output}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None:
        raise SystemExit(f"cannot parse wrk output:\n{output}")
    return float(match.group(1))


async def httpx_load(url: str, connections: int, duration: float) -> float:
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits) as client:
        done, deadline = 0, time.perf_counter() + duration

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                (await client.get(url)).raise_for_status()
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return done / (time.perf_counter() - start)


def bench_board(url: str, args: argparse.Namespace, processes: list[Any]) -> tuple[float, float]:
    board_url = start(processes, url)
    body = httpx.get(board_url, timeout=30).raise_for_status().content
    board = json.loads(body)
    if not board["piles_included"] or len(board["piles"]) != args.piles:
        raise SystemExit(f"board has {len(board['piles'])} piles, expected {args.piles}")
    bare_url = start(processes, None, body)
    if httpx.get(bare_url).content != body:
        raise SystemExit("bare app does not return the board bytes")
    print(f"board body {len(body):,} bytes; load: {'wrk' if WRK else 'httpx (fallback)'}")
    first, bare, second = load(board_url, args), load(bare_url, args), load(board_url, args)
    print(f"board runs {first:,.0f} and {second:,.0f} req/s")
    return (first + second) / 2, bare


async def bench_ingest(url: str, seeded: list[tuple[str, int]], total: int) -> tuple[float, float]:
    """Reports/s through the service, then raw executemany of the same history rows."""
    last = dict(seeded)
    reports: list[StatusReport] = []
    for index in range(total):
        connector_id = seeded[index % len(seeded)][0]
        last[connector_id] = code = 3 if last[connector_id] == 1 else 1  # always a change
        reports.append(_report(connector_id, code, BASE + timedelta(milliseconds=100 * index)))
    batches = [reports[i : i + 500] for i in range(0, total, 500)]
    database = Database(url)
    rules = ColourRules()
    try:
        started = time.perf_counter()
        for batch in batches:
            async with database.session(write=True) as session:
                results = await record_status_reports(session, batch, rules=rules)
            if any(result.outcome is not Outcome.CHANGED for result in results):
                raise SystemExit(f"not every report was a change: {results[:3]}")
        service = total / (time.perf_counter() - started)

        async with database.session(write=True) as session:  # the connector pks, untimed
            rows = await session.execute(sa.text("SELECT connector_id, id FROM connector"))
            pks = dict(rows.tuples().all())
        history = SQLModel.metadata.tables["status_change"]  # same columns, no FK or index
        columns = [sa.Column(c.name, c.type, primary_key=c.primary_key) for c in history.columns]
        scratch = sa.Table("bench_status_change", sa.MetaData(), *columns)
        async with database.engine.begin() as connection:
            await connection.run_sync(scratch.create)
        row_batches = [[_history_row(r, pks[r.connector_id]) for r in b] for b in batches]
        started = time.perf_counter()
        for row_batch in row_batches:
            async with database.session(write=True) as session:
                await session.execute(scratch.insert(), row_batch)
        raw = total / (time.perf_counter() - started)
        return service, raw
    finally:
        await database.dispose()


def _history_row(report: StatusReport, connector_pk: int) -> dict[str, Any]:
    """The status_change row the service writes for an applied report."""
    return {
        "connector_pk": connector_pk, "status": state_for_tcec_code(report.code),
        "raw_code": report.code, "observed_at": report.observed_at,
        "received_at": report.received_at, "source": report.source, "applied": True,
    }  # fmt: skip


async def admin(url: str, statement: str) -> None:
    """Run CREATE/DROP DATABASE on the server's `postgres` maintenance database."""
    engine = create_async_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="postgresql+asyncpg://.../<new db>; default SQLite")
    parser.add_argument("--piles", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--reports", type=int, default=20_000, help="status reports to ingest")
    args = parser.parse_args()
    if WRK is None:
        print("WARNING: wrk not found; using an httpx load generator. The Python client is")
        print("         the bottleneck, so the app/bare ratio is compressed towards 1.")
    tmp_dir, url, created = None, args.database_url, False
    processes: list[Any] = []
    try:
        if url is None:
            tmp_dir = tempfile.mkdtemp(prefix="pilehub-bench-")
            url = f"sqlite+aiosqlite:///{tmp_dir}/bench.db"
        else:
            asyncio.run(admin(url, f'CREATE DATABASE "{make_url(url).database}"'))
            created = True
        started = time.perf_counter()
        seeded = asyncio.run(seed(url, args.piles))
        print(
            f"seeded {args.piles} piles, {len(seeded)} connectors in "
            f"{time.perf_counter() - started:.1f}s on {make_url(url).get_backend_name()}"
        )
        app_rps, bare_rps = bench_board(url, args, processes)
        for process in processes:  # quiet machine for the ingest run
            process.terminate()
        service, raw = asyncio.run(bench_ingest(url, seeded, args.reports))
        print(
            f"board {args.piles} piles   app {app_rps:8,.0f} req/s   bare starlette "
            f"{bare_rps:8,.0f} req/s   ratio {app_rps / bare_rps:.2f} (target >= 0.5)\n"
            f"status ingest      service {service:6,.0f}/s    raw executemany {raw:8,.0f}/s"
            f"       ratio {service / raw:.2f}"
        )
    finally:
        for process in processes:
            process.terminate()
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        if created and url is not None:
            asyncio.run(
                admin(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
            )


if __name__ == "__main__":
    main()
