"""Benchmark the GraphQL view: the dashboard's board query against REST, and subscription
fan-out.

Board: POST /graphql with the board query of one street (every pile, one page) against
GET /v1/board?area=<street> on the same app instance (uvicorn in a spawned process, 1 worker,
as board.py), both with a city client's bearer token, in the same rounds; the median round
by ratio is reported. A second app instance with the GraphQL response cache turned off
(`graphql_cache_entries=0`) gives the uncached figure, i.e. what strawberry itself costs.
The GraphQL board's piles and colours are checked against the REST board first.

Fan-out: `--subscribers` WebSocket clients (graphql-transport-ws) subscribe to
`statusChanged(area: <street>)` on the cached instance; this process then records
`--rate` status changes a second for `--seconds` through the real status service (as the
ingest path does). Each client notes when each event arrives; latency is arrival minus the
event's change-log time (commit), and every client must see every event of the street once,
in order: the count missing is printed.

    python -m bench.graphql [--database-url URL] [--piles 1000] [--duration 5] [--rounds 3]
                            [--connections 32] [--subscribers 1000] [--rate 50] [--seconds 10]
                            [--only board|fanout]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
import uvicorn
import uvloop
from websockets.asyncio.client import ClientConnection, connect

from app.core.config import ColourRules
from app.core.db import Database
from app.core.logging import configure_logging
from app.core.time import utc_now
from app.core.websocket import UVICORN_WEBSOCKET
from app.main import create_app
from app.status.service import record_status_reports
from bench.common import (
    BASE,
    LUA,
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

TARGET = 0.5  # GraphQL >= half of REST's requests/s for the same board
BOARD_QUERY = """query Board($area: AreaCode) { board(area: $area) { dataVersion
  area { code name counts { green yellow red unknown total } }
  children { nodes { code name counts { green yellow red unknown total } } }
  piles(first: 1000) { nodes { id equipmentId name colour colourSince maintenance
    community { code name } stationId } pageInfo { hasNextPage } } } }"""
SUBSCRIPTION = """subscription($area: AreaCode, $since: EventId) {
  statusChanged(area: $area, since: $since) { eventId kind } }"""
JSON = "application/json"


def serve(port: int, url: str, cache_entries: int) -> None:
    """Child process: the real app, with or without the GraphQL response cache."""
    settings = bench_settings(url).model_copy(update={"graphql_cache_entries": cache_entries})
    configure_logging(level=settings.log_level)
    app = create_app(settings, database=Database(url))
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning",
                **UVICORN_WEBSOCKET)  # fmt: skip


def token(base: str, credentials: tuple[str, str]) -> str:
    answer = httpx.post(
        f"{base}/oauth/token", data={"grant_type": "client_credentials"}, auth=credentials
    )
    return str(answer.raise_for_status().json()["access_token"])


def check(base: str, bearer: str, body: str, piles: int) -> None:
    """The GraphQL board lists the same piles in the same colours as the REST board."""
    headers = {"Authorization": bearer}
    rest = httpx.get(f"{base}/v1/board?area={STREET}", headers=headers, timeout=30)
    answer = httpx.post(
        f"{base}/graphql", content=body, headers={**headers, "content-type": JSON}, timeout=30
    )
    graph = answer.raise_for_status().json()
    if "errors" in graph:
        raise SystemExit(f"the board query failed: {graph['errors']}")
    nodes = graph["data"]["board"]["piles"]["nodes"]
    rest_piles = rest.raise_for_status().json()["piles"]
    if len(nodes) != piles or [(p["id"], p["colour"]) for p in rest_piles] != [
        (n["id"], n["colour"].lower()) for n in nodes
    ]:
        raise SystemExit("the GraphQL board differs from the REST board")


def bench_board(
    cached: str, uncached: str, credentials: tuple[str, str], args: Any, tmp: Path
) -> tuple[Run, Run, Run]:
    script = tmp / "read.lua"
    script.write_text(LUA)
    body = json.dumps({"query": BOARD_QUERY, "variables": {"area": STREET}})
    for base in (cached, uncached):
        check(base, f"Bearer {token(base, credentials)}", body, args.piles)
    print(f"GraphQL board answers the REST board's {args.piles} piles; query {len(body)} bytes")
    rounds = []
    for number in range(1, args.rounds + 1):
        bearer = f"Bearer {token(cached, credentials)}"  # fresh: tokens live 10 minutes
        rest = wrk(f"{cached}/v1/board?area={STREET}", script, args, "GET", bearer, "-", "-")
        graph = wrk(f"{cached}/graphql", script, args, "POST", bearer, body, JSON)
        cold_bearer = f"Bearer {token(uncached, credentials)}"
        cold = wrk(f"{uncached}/graphql", script, args, "POST", cold_bearer, body, JSON)
        rounds.append((rest, graph, cold))
        print(
            f"  round {number}: REST {rest.rate:,.0f}/s, GraphQL {graph.rate:,.0f}/s "
            f"(ratio {graph.rate / rest.rate:.2f}), uncached {cold.rate:,.0f}/s "
            f"({cold.rate / rest.rate:.2f})"
        )
    return sorted(rounds, key=lambda r: r[1].rate / r[0].rate)[len(rounds) // 2]


class Subscriber:
    def __init__(self) -> None:
        self.arrivals: list[tuple[int, float]] = []  # (event id, arrival epoch seconds)
        self.ready = asyncio.Event()

    async def follow(self, url: str, bearer: str, since: int) -> None:
        async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:  # type: ignore[list-item]
            await ws.send(_json({"type": "connection_init", "payload": {"Authorization": bearer}}))
            await ws.recv()
            variables = {"area": STREET, "since": since}
            payload = {"query": SUBSCRIPTION, "variables": variables}
            await ws.send(_json({"id": "1", "type": "subscribe", "payload": payload}))
            self.ready.set()
            await self._receive(ws)

    async def _receive(self, ws: ClientConnection) -> None:
        # Until cancelled; no timeout per message: wait_for would start a task per message,
        # and this one process receives for all 1,000 clients.
        async for message in ws:
            data = orjson.loads(message)
            if data.get("type") == "next":
                event = data["payload"]["data"]["statusChanged"]
                self.arrivals.append((int(event["eventId"]), time.time()))


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


async def bench_fanout(
    url: str, base: str, credentials: tuple[str, str], args: Any
) -> tuple[list[float], int, int, int, float]:
    """(latencies in ms, events expected per subscriber, subscribers, events missing, seconds
    from the first commit to the last arrival)."""
    bearer = f"Bearer {token(base, credentials)}"
    ws_url = base.replace("http://", "ws://") + "/graphql"
    subscribers = [Subscriber() for _ in range(args.subscribers)]
    database = Database(url)
    try:
        # Subscribed from this event on, however long the handshakes take (as a dashboard
        # resumes): every later event of the street must reach every subscriber.
        first = await _latest_event(database)
        tasks = []
        for subscriber in subscribers:  # in waves: a burst of handshakes times out
            tasks.append(asyncio.create_task(subscriber.follow(ws_url, bearer, first)))
            if len(tasks) % 50 == 0:
                await asyncio.gather(*(s.ready.wait() for s in subscribers[: len(tasks)]))
        await asyncio.gather(*(s.ready.wait() for s in subscribers))
        print(f"{len(subscribers)} subscribers on {STREET}; writing {args.rate} changes/s")
        await _write_changes(database, args.rate, args.seconds)
        expected = await _events_since(database, first)
        await _drained(subscribers, max(expected), deadline=60.0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        await database.dispose()
    latencies, missing = [], 0
    arrived = [at for s in subscribers for _, at in s.arrivals]
    span = max(arrived, default=0.0) - min(expected.values(), default=0.0)
    for subscriber in subscribers:
        ids = [event_id for event_id, _ in subscriber.arrivals]
        missing += len(set(expected) - set(ids)) + (ids != sorted(set(ids)))
        latencies += [(at - expected[event_id]) * 1000 for event_id, at in subscriber.arrivals
                      if event_id in expected]  # fmt: skip
    return latencies, len(expected), len(subscribers), missing, span


async def _drained(subscribers: list[Subscriber], last: int, *, deadline: float) -> None:
    """Wait until every subscriber has the last event, or `deadline` seconds (then the
    stragglers' missing events count as missing)."""
    give_up = time.monotonic() + deadline
    while time.monotonic() < give_up:
        if all(s.arrivals and s.arrivals[-1][0] >= last for s in subscribers):
            return
        await asyncio.sleep(0.1)


async def _write_changes(database: Database, rate: int, seconds: int) -> None:
    """`rate` status changes a second through the real service, each in its own commit."""
    async with database.engine.connect() as connection:
        rows = await connection.execute(sa.text("SELECT connector_id FROM connector ORDER BY id"))
        connectors = [row[0] for row in rows.all()]
    codes: dict[str, int] = {}
    started = time.perf_counter()
    for number in range(rate * seconds):
        connector = connectors[number % len(connectors)]
        codes[connector] = code = 3 if codes.get(connector) == 1 else 1
        observed = BASE + timedelta(hours=1, milliseconds=number)
        async with database.session(write=True) as session:
            await record_status_reports(
                session, [report(connector, code, observed)], rules=ColourRules(), now=utc_now()
            )
        await asyncio.sleep(max(0.0, started + (number + 1) / rate - time.perf_counter()))


async def _latest_event(database: Database) -> int:
    async with database.engine.connect() as connection:
        result = await connection.execute(sa.text("SELECT coalesce(max(id), 0) FROM change_event"))
        return int(result.scalar_one())


async def _events_since(database: Database, first: int) -> dict[int, float]:
    """The street's status-kind events after `first`: id -> change-log time (epoch s)."""
    async with database.engine.connect() as connection:
        result = await connection.execute(
            sa.text(
                "SELECT id, occurred_at FROM change_event WHERE id > :first "
                "AND kind IN ('connector.status', 'pile.colour', 'pile.maintenance')"
            ),
            {"first": first},
        )
        return {row[0]: _epoch(row[1]) for row in result.all()}


def _epoch(value: datetime | str) -> float:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.timestamp() if when.tzinfo else when.replace(tzinfo=None).timestamp()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = benchmark_arguments(__doc__ or "", rounds=3)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=50, help="status changes per second")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--only", choices=("board", "fanout"), help="run one part (default both)")
    args = parser.parse_args()
    if WRK is None and args.only != "fanout":
        raise SystemExit("wrk not found (Debian's `wrk` package); this benchmark needs it")
    configure_logging(level="WARNING")
    pg_url = postgres_url(args.database_url)
    processes: list[Any] = []
    with environment(pg_url, processes) as (url, tmp_dir):
        seeded = asyncio.run(seed(url, args.piles))
        credentials = asyncio.run(register(url))
        print(f"seeded {len(seeded)} connectors; city client {credentials[0]}")
        cached = start(processes, serve, (url, 512), "/healthz").removesuffix("/healthz")
        if args.only != "fanout":
            uncached = start(processes, serve, (url, 0), "/healthz").removesuffix("/healthz")
            print_board(*bench_board(cached, uncached, credentials, args, Path(tmp_dir)))
        if args.only != "board":
            # uvloop, as the server: the clients share this process and must not be what lags.
            print_fanout(*uvloop.run(bench_fanout(url, cached, credentials, args)))


def print_board(rest: Run, graph: Run, cold: Run) -> None:
    ratio = graph.rate / rest.rate
    met = "met" if ratio >= TARGET else "MISSED"
    print(f"{'':34}{'rate':>10}{'p99':>11}{'ratio':>7}  target")
    print(f"{'REST GET /v1/board':34}{rest.rate:8,.0f}/s{rest.p99:8.1f} ms")
    print(f"{'GraphQL board query (cached)':34}{graph.rate:8,.0f}/s{graph.p99:8.1f} ms"
          f"{ratio:7.2f}  >= {TARGET}: {met}")  # fmt: skip
    print(f"{'GraphQL board query (no cache)':34}{cold.rate:8,.0f}/s{cold.p99:8.1f} ms"
          f"{cold.rate / rest.rate:7.2f}")  # fmt: skip


def print_fanout(
    latencies: list[float], events: int, subscribers: int, missing: int, span: float
) -> None:
    if not latencies:
        raise SystemExit("no subscriber received anything")
    print(
        f"fan-out: {subscribers} subscribers x {events} events = "
        f"{subscribers * events:,} expected, {len(latencies):,} received, missing {missing}; "
        f"commit -> client p50 {percentile(latencies, 50):.0f} ms, "
        f"p99 {percentile(latencies, 99):.0f} ms, max {max(latencies):.0f} ms; "
        f"{len(latencies) / span:,.0f} messages/s over {span:.1f} s"
    )


if __name__ == "__main__":
    main()
