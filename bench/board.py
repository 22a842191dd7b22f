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

    python -m bench.board [--database-url URL] [--piles 1000] [--duration 5] [--rounds 5]
                          [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import time
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.core.config import ColourRules, Settings
from app.core.db import Database, execute
from app.main import create_app
from app.status.codes import state_for_tcec_code
from app.status.schemas import Outcome
from app.status.service import record_status_reports
from bench.common import (
    BASE,
    SCRATCH,
    STREET,
    WRK,
    benchmark_arguments,
    environment,
    postgres_url,
    report,
    seed,
    start,
)

BOARD_PATH, BATCH = f"/v1/board?area={STREET}", 500


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


def start_server(processes: list[Any], url: str | None, body: bytes = b"") -> str:
    """Start `serve` in a spawned process on a free port; returns the board URL once it answers."""
    return start(processes, serve, (url, body), BOARD_PATH)


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
    board_url = start_server(processes, url)
    body = httpx.get(board_url, timeout=30).raise_for_status().content
    board = json.loads(body)
    if not board["piles_included"] or len(board["piles"]) != args.piles:
        raise SystemExit(f"board has {len(board['piles'])} piles, expected {args.piles}")
    bare_url = start_server(processes, None, body)
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
        reports.append(report(connector_id, code, observed_at))
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


def main() -> None:
    parser = benchmark_arguments(__doc__ or "", rounds=5)
    parser.add_argument("--reports", type=int, default=20_000, help="status reports to ingest")
    args = parser.parse_args()
    if WRK is None:
        print("WARNING: wrk not found; using an httpx load generator. The Python client is")
        print("         the bottleneck, so the app/bare ratio is compressed towards 1.")
    pg_url = postgres_url(args.database_url)
    processes: list[Any] = []
    with environment(pg_url, processes) as (url, _tmp_dir):
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


if __name__ == "__main__":
    main()
