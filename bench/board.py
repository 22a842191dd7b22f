"""Benchmark the board endpoint and status ingest against their floors.

Board: GET /v1/board?area=<street> on the real app versus a bare Starlette app returning the
same pre-serialised bytes, both under uvicorn with the same settings (1 worker, auto
loop/http, no access log). The board is a cached snapshot, so the bare app is its floor and
the ratio is what the per-request work costs (FastAPI routing and dependencies, the request-id
middleware, the snapshot lookup). wrk alternates app and bare runs in rounds; each round gives
a ratio and the median round is reported (the machine is shared, 2 cores, and noisy).

Ingest: K status reports through `record_status_reports` (history, current upsert, events,
pile colours) versus a raw executemany INSERT of the same history rows into a scratch table
with status_change's columns; batches of 500, one write session per batch in both cases.

    python bench/board.py [--database-url URL] [--piles 1000] [--duration 5] [--rounds 5]
                          [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.core.config import ColourRules, Settings
from app.core.db import Database, execute
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
BOARD_PATH, BATCH = f"/v1/board?area={STREET}", 500
WRK = shutil.which("wrk")
BASE = utc_now() - timedelta(hours=2)  # seed time; ingest reports follow it, 10 ms apart
# status_change's columns without its foreign key and index: the floor for the history rows.
SCRATCH = sa.Table(
    "bench_status_change",
    sa.MetaData(),
    *(sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
      for c in SQLModel.metadata.tables["status_change"].columns),
)  # fmt: skip


def _station(number: int, piles: int) -> StationRecord:
    """Community `number`'s station, with every COMMUNITIES-th pile (round-robin spread)."""
    station_id = f"310105{OPERATOR}{number:04d}"
    equipment = []
    for pile in range(number, piles + 1, COMMUNITIES):
        equipment_id = f"{station_id}{pile // COMMUNITIES:03d}"
        ids = [f"{equipment_id}{c}" for c in range(1, CONNECTORS_PER_PILE + 1)]
        connectors = [ConnectorRecord(connector_id=i, power_kw=7.0) for i in ids]
        equipment.append(EquipmentRecord(equipment_id=equipment_id, connectors=connectors))
    return StationRecord(
        operator_id=OPERATOR, station_id=station_id, name=f"bench station {number}",
        jurisdiction_code=f"{STREET}{number:03d}", area_code="310105", equipment=equipment,
    )  # fmt: skip


def _report(connector_id: str, code: int, observed_at: datetime) -> StatusReport:
    return StatusReport(
        operator_id=OPERATOR, connector_id=connector_id, code=code, observed_at=observed_at,
        received_at=observed_at + timedelta(seconds=1), source="bench",
    )  # fmt: skip


async def seed(url: str, piles: int) -> list[tuple[str, int]]:
    """Migrate, then build one street with `piles` piles; returns [(connector id, code)]."""
    database = Database(url)
    try:
        await upgrade(database.engine)
        hierarchy = [("310000", None, "city"), ("310105", "310000", "district")]
        hierarchy += [(STREET, "310105", "street")]
        hierarchy += [(f"{STREET}{n:03d}", STREET, "community") for n in range(1, COMMUNITIES + 1)]
        stations = [_station(number, piles) for number in range(1, COMMUNITIES + 1)]
        async with database.session(write=True) as session:
            for code, parent, level in hierarchy:
                await ensure_jurisdiction(
                    session, code=code, name=f"bench {code}", level=JurisdictionLevel(level),
                    parent_code=parent,
                )  # fmt: skip
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
        app: Any = create_app(settings, database=Database(url))
    else:

        async def board(_request: Request) -> Response:
            return Response(body, media_type="application/json")

        app = Starlette(routes=[Route("/v1/board", board)])
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


def start(processes: list[Any], url: str | None, body: bytes = b"") -> str:
    """Start `serve` in a spawned process on a free port; returns the board URL once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = multiprocessing.get_context("spawn").Process(target=serve, args=(port, url, body))
    processes.append(process)  # before start(), so an interrupt mid-start still cleans up
    process.start()
    board_url = f"http://127.0.0.1:{port}{BOARD_PATH}"
    for _ in range(300):
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(board_url, timeout=30).raise_for_status():
                return board_url
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
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if match is None or "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk failed or saw errors:\n{output}")
    return float(match.group(1))


async def httpx_load(url: str, connections: int, duration: float) -> float:
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=connections)) as client:
        done, deadline = 0, time.perf_counter() + duration

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                (await client.get(url)).raise_for_status()
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return done / (time.perf_counter() - started)


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
    # Alternate short runs and compare within each round: load from other jobs on this
    # shared 2-core machine shifts both sides of a round alike, but not rounds apart.
    rounds = []
    for number in range(1, args.rounds + 1):
        app_rps, bare_rps = load(board_url, args), load(bare_url, args)
        rounds.append((app_rps, bare_rps))
        print(
            f"  round {number}: app {app_rps:,.0f} req/s, bare {bare_rps:,.0f} req/s, "
            f"ratio {app_rps / bare_rps:.2f}"
        )
    app_rps, bare_rps = sorted(rounds, key=lambda r: r[0] / r[1])[len(rounds) // 2]
    return app_rps, bare_rps


async def bench_ingest(url: str, seeded: list[tuple[str, int]], total: int) -> tuple[float, float]:
    """Reports/s through the service, then raw executemany of the same history rows."""
    last, reports = dict(seeded), []
    for index in range(total):
        connector_id = seeded[index % len(seeded)][0]
        last[connector_id] = code = 3 if last[connector_id] == 1 else 1  # always a change
        observed_at = BASE + timedelta(milliseconds=10 * (index + 1))
        reports.append(_report(connector_id, code, observed_at))
    batches = [reports[i : i + BATCH] for i in range(0, total, BATCH)]
    database = Database(url)
    try:
        started = time.perf_counter()
        for batch in batches:
            async with database.session(write=True) as session:
                results = await record_status_reports(session, batch, rules=ColourRules())
            if any(result.outcome is not Outcome.CHANGED for result in results):
                raise SystemExit(f"not every report was a change: {results[:3]}")
        service = total / (time.perf_counter() - started)

        async with database.engine.begin() as connection:  # untimed: pks and scratch table
            rows = await connection.execute(sa.text("SELECT connector_id, id FROM connector"))
            pks: dict[str, int] = dict(rows.all())
            await connection.run_sync(SCRATCH.create)
        history_rows = [
            [
                {"connector_pk": pks[r.connector_id], "status": state_for_tcec_code(r.code),
                 "raw_code": r.code, "observed_at": r.observed_at, "received_at": r.received_at,
                 "source": r.source, "applied": True}
                for r in batch
            ]
            for batch in batches
        ]  # fmt: skip
        started = time.perf_counter()
        for rows_of_batch in history_rows:
            async with database.session(write=True) as session:
                await execute(session, SCRATCH.insert(), rows_of_batch)
        return service, total / (time.perf_counter() - started)
    finally:
        await database.dispose()


async def admin(url: sa.URL, statement: str) -> None:
    """Run CREATE/DROP DATABASE on the server's `postgres` maintenance database."""
    engine = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="postgresql+asyncpg://.../<new db>; default SQLite")
    parser.add_argument("--piles", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=5, help="app/bare pairs; median is kept")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--reports", type=int, default=20_000, help="status reports to ingest")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanup on kill too
    if WRK is None:
        print("WARNING: wrk not found; using an httpx load generator. The Python client is")
        print("         the bottleneck, so the app/bare ratio is compressed towards 1.")
    pg_url = sa.make_url(args.database_url) if args.database_url else None
    if pg_url is not None and pg_url.get_backend_name() != "postgresql":
        raise SystemExit("--database-url must be postgresql+asyncpg://...; SQLite is the default")
    tmp_dir, created = tempfile.mkdtemp(prefix="pilehub-bench-"), False
    processes: list[Any] = []
    try:
        url = f"sqlite+aiosqlite:///{tmp_dir}/bench.db"
        if pg_url is not None:  # a fresh database: fails (and is left alone) if it exists
            asyncio.run(admin(pg_url, f'CREATE DATABASE "{pg_url.database}"'))
            created, url = True, pg_url.render_as_string(hide_password=False)
        started = time.perf_counter()
        seeded = asyncio.run(seed(url, args.piles))
        print(f"seeded {len(seeded)} connectors in {time.perf_counter() - started:.1f}s")
        app_rps, bare_rps = bench_board(url, args, processes)
        for process in processes:  # a quiet machine for the ingest run
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
            if process.pid is None:  # interrupted before it was started
                continue
            process.terminate()
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join()
        shutil.rmtree(tmp_dir, ignore_errors=True)
        if created and pg_url is not None:
            asyncio.run(admin(pg_url, f'DROP DATABASE IF EXISTS "{pg_url.database}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
