"""Benchmark the OAuth2 layer: the token endpoint, and what a bearer token costs a read.

Token: POST /oauth/token (grant_type=client_credentials, client_secret_basic) on the real app
under uvicorn in a spawned process (1 worker, no access log, as board.py), with the token and
API rate limits raised out of the way. Each request loads the client, checks its secret and
signs an ES256 at+jwt; there is no floor, the figures are requests/s and p99, every answer 200.

Protected read: GET /v1/board?area=<street> with `Authorization: Bearer <token>` (a city
client's token: scope check, rate limiter, verified-token cache, then the snapshot) versus
GET /v1/bench/board-open?area=<street>, a route added to the board's router (so routing costs
the same) in the same app instance, which calls the same board service with a fixed city
principal and no auth at all. Both answer the same snapshot bytes (checked), so the ratio
authed/open is the price of the auth layer on a cache hit, and auth cost = 1 - ratio.

wrk runs one Lua script (method, headers and body from its arguments); token runs count
non-200 answers in Lua, reads use wrk's own non-2xx/3xx count (a Lua `response` hook copies
every board body and made wrk the bottleneck). Token, authed and open runs alternate in
rounds; the median token run and the median read round (by ratio) are reported.

    python -m bench.auth [--database-url URL] [--piles 1000] [--duration 5] [--rounds 3]
                         [--connections 32]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.requests import Request
from starlette.responses import Response

from app.auth.principal import city_principal
from app.board.router import router as board_router
from app.board.service import board_json
from app.board.snapshot_http import snapshot_response
from app.context import AppContext
from app.core.db import Database
from app.core.logging import configure_logging
from app.main import create_app
from bench.common import (
    LUA,
    STREET,
    WRK,
    Run,
    bench_settings,
    benchmark_arguments,
    environment,
    postgres_url,
    register,
    seed,
    start,
    wrk,
)

TOKEN_PATH = "/oauth/token"
BOARD_PATH, OPEN_PATH = f"/v1/board?area={STREET}", f"/v1/bench/board-open?area={STREET}"
FORM, TARGET = "application/x-www-form-urlencoded", 0.15  # auth may cost at most 15%
# Token runs only: with it wrk hands every body to Lua, which for a board of ~290 KB made
# wrk itself the bottleneck (1,100 req/s against 2,500 without); reads rely on wrk's count.
COUNT = """
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
"""


def serve(port: int, url: str) -> None:
    """Child process: the real app, plus the open board route on the same instance."""
    settings = bench_settings(url)
    configure_logging(level=settings.log_level)  # create_app leaves logging to its caller
    principal = city_principal(settings.city_code)

    async def board_open(request: Request) -> Response:
        context: AppContext = request.app.state.context
        snapshot = await board_json(
            context.database, principal, area=request.query_params.get("area"),
            cache=context.snapshots, max_piles=settings.board_max_piles,
        )  # fmt: skip
        return snapshot_response(request, snapshot, media_type="application/json")

    # In the board's router, right after the board: mounted at the end of the app, the open
    # route measured ~20% slower from routing alone (every router before it is tried first).
    board_router.add_route(OPEN_PATH.partition("?")[0].removeprefix("/v1"), board_open, ["GET"])
    app = create_app(settings, database=Database(url))
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")


def access_token(client: httpx.Client, credentials: tuple[str, str]) -> str:
    answer = client.post(TOKEN_PATH, data={"grant_type": "client_credentials"}, auth=credentials)
    return str(answer.raise_for_status().json()["access_token"])


def check(client: httpx.Client, token: str, piles: int) -> int:
    """The authed and open boards are the same bytes, and the real route wants a token."""
    if (refused := client.get(BOARD_PATH)).status_code != 401:
        raise SystemExit(f"GET {BOARD_PATH} without a token answered {refused.status_code}")
    bearer = {"Authorization": f"Bearer {token}"}
    authed = client.get(BOARD_PATH, headers=bearer).raise_for_status().content
    opened = client.get(OPEN_PATH).raise_for_status().content
    if authed != opened:
        raise SystemExit("the open route's board differs from the authed one")
    if len(board := json.loads(authed)["piles"]) != piles:
        raise SystemExit(f"board has {len(board)} piles, expected {piles}")
    return len(authed)


def bench(
    url: str,
    credentials: tuple[str, str],
    args: argparse.Namespace,
    tmp: Path,
    processes: list[Any],
) -> tuple[Run, Run, Run]:
    """Rounds of token, authed and open runs; the median token run and the median read round."""
    base = start(processes, serve, (url,), "/healthz").removesuffix("/healthz")
    script, counting = tmp / "read.lua", tmp / "token.lua"
    script.write_text(LUA)
    counting.write_text(LUA + COUNT)
    basic = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
    with httpx.Client(base_url=base, timeout=30) as client:
        size = check(client, access_token(client, credentials), args.piles)
    print(f"board body {size:,} bytes, the same authed and open; token endpoint answers 200")
    tokens, reads = [], []
    for number in range(1, args.rounds + 1):
        with httpx.Client(base_url=base, timeout=30) as client:  # fresh: tokens live 10 min
            token = access_token(client, credentials)
        issued = wrk(f"{base}{TOKEN_PATH}", counting, args, "POST", basic,
                     "grant_type=client_credentials", FORM)  # fmt: skip
        authed = wrk(f"{base}{BOARD_PATH}", script, args, "GET", f"Bearer {token}", "-", "-")
        opened = wrk(f"{base}{OPEN_PATH}", script, args, "GET", "-", "-", "-")
        tokens.append(issued)
        reads.append((authed, opened))
        print(
            f"  round {number}: token {issued.rate:,.0f}/s (p99 {issued.p99:.1f} ms), "
            f"authed {authed.rate:,.0f}/s, open {opened.rate:,.0f}/s, "
            f"ratio {authed.rate / opened.rate:.3f}"
        )
    token_run = sorted(tokens, key=lambda run: run.rate)[len(tokens) // 2]
    authed, opened = sorted(reads, key=lambda r: r[0].rate / r[1].rate)[len(reads) // 2]
    return token_run, authed, opened


def row(label: str, run: Run, ratio: float | None = None, target: str = "") -> str:
    text = f"{label:36}{run.rate:8,.0f}/s{run.p99:9.1f} ms"
    return (text + (f"{ratio:7.3f}  {target}" if ratio is not None else "")).rstrip()


def main() -> None:
    args = benchmark_arguments(__doc__ or "", rounds=3).parse_args()
    if WRK is None:
        raise SystemExit("wrk not found (Debian's `wrk` package); this benchmark needs it")
    pg_url = postgres_url(args.database_url)
    processes: list[Any] = []
    with environment(pg_url, processes) as (url, tmp_dir):
        started = time.perf_counter()
        seeded = asyncio.run(seed(url, args.piles))
        credentials = asyncio.run(register(url))
        print(
            f"seeded {len(seeded)} connectors and registered city client {credentials[0]} "
            f"in {time.perf_counter() - started:.1f}s"
        )
        issued, authed, opened = bench(url, credentials, args, Path(tmp_dir), processes)
        ratio = authed.rate / opened.rate
        met = "met" if 1 - ratio <= TARGET else "MISSED"
        print(f"{'':36}{'rate':>10}{'p99':>12}{'ratio':>7}  target")
        print(row("token POST /oauth/token (basic)", issued))
        print(row("read  GET /v1/board, Bearer", authed, ratio, f"auth costs <= 15%: {met}"))
        print(row("      same bytes, no auth (same app)", opened))
        print(f"auth cost = 1 - ratio = {1 - ratio:.1%}")


if __name__ == "__main__":
    main()
