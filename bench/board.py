"""Benchmark the board endpoint and status ingest against their floors.

Board: GET /v1/board?area=<street> with a city client's bearer token on the real app versus
a bare Starlette app returning the same pre-serialised bytes, both under uvicorn with the
same settings (1 worker, auto loop/http, no access log). The board is a cached snapshot, so
the bare app is its floor and the ratio is what the per-request work costs (FastAPI routing
and dependencies, the request-id middleware, the snapshot lookup). wrk alternates app and
bare runs in rounds; each round gives a ratio and the median round is reported (the machine
is shared, 2 cores, and noisy).

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
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.core.config import ColourRules
from app.core.db import Database, execute
from app.main import create_app
from app.status.codes import state_for_tcec_code
from app.status.schemas import Outcome
from app.status.service import record_status_reports
from bench.common import (
    BASE,
    LUA,
    SCRATCH,
    STREET,
    WRK,
    Run,
    bench_settings,
    benchmark_arguments,
    environment,
    postgres_url,
    register,
    report,
    seed,
    start,
    wrk,
)

BOARD_PATH, BATCH = f"/v1/board?area={STREET}", 500


def serve(port: int, url: str | None, body: bytes) -> None:
    """Child process: the real app when `url` is given, else the bare Starlette floor."""
    if url is not None:
        app: Any = create_app(bench_settings(url), database=Database(url))
    else:

        async def board(_request: Request) -> Response:
            return Response(body, media_type="application/json")

        app = Starlette(routes=[Route("/v1/board", board)])
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


def bench_board(
    url: str, args: argparse.Namespace, processes: list[Any], tmp: Path
) -> tuple[Run, Run]:
    """Median round of (app, bare) wrk runs of the board, both with a city client's token
    (the bare app ignores it)."""
    credentials = asyncio.run(register(url))
    app_base = start(processes, serve, (url, b""), "/healthz").removesuffix("/healthz")
    with httpx.Client(base_url=app_base, timeout=30) as client:
        token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=credentials).raise_for_status().json()["access_token"]  # fmt: skip
        bearer = f"Bearer {token}"
        body = client.get(BOARD_PATH, headers={"Authorization": bearer}).raise_for_status().content
    board = json.loads(body)
    if not board["piles_included"] or len(board["piles"]) != args.piles:
        raise SystemExit(f"board has {len(board['piles'])} piles, expected {args.piles}")
    bare_base = start(processes, serve, (None, body), BOARD_PATH).removesuffix(BOARD_PATH)
    if httpx.get(f"{bare_base}{BOARD_PATH}").content != body:
        raise SystemExit("bare app does not return the board bytes")
    script = tmp / "read.lua"
    script.write_text(LUA)
    print(f"board body {len(body):,} bytes, the same from both")
    # Alternate short runs and compare within each round: load from other jobs on this
    # shared 2-core machine shifts both sides of a round alike, but not rounds apart.
    rounds = []
    for number in range(1, args.rounds + 1):
        app_run = wrk(f"{app_base}{BOARD_PATH}", script, args, "GET", bearer, "-", "-")
        bare_run = wrk(f"{bare_base}{BOARD_PATH}", script, args, "GET", bearer, "-", "-")
        rounds.append((app_run, bare_run))
        print(
            f"  round {number}: app {app_run.rate:,.0f} req/s, bare {bare_run.rate:,.0f} req/s, "
            f"ratio {app_run.rate / bare_run.rate:.2f}"
        )
    return sorted(rounds, key=lambda r: r[0].rate / r[1].rate)[len(rounds) // 2]


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
        raise SystemExit("wrk not found (Debian's `wrk` package); this benchmark needs it")
    pg_url = postgres_url(args.database_url)
    processes: list[Any] = []
    with environment(pg_url, processes) as (url, tmp_dir):
        started = time.perf_counter()
        seeded = asyncio.run(seed(url, args.piles))
        print(f"seeded {len(seeded)} connectors in {time.perf_counter() - started:.1f}s")
        app_run, bare_run = bench_board(url, args, processes, Path(tmp_dir))
        app_rps, bare_rps = app_run.rate, bare_run.rate
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
