"""Benchmark T/CEC ingest: operator pushes over HTTP and status pulls, each against a floor.

Push: POST /evcs/v1/notification_stationStatus on the real app under uvicorn (spawned process,
1 worker, as in board.py) versus a bare route mounted on the same app instance in that process
(POST /bench/bare: reads the body, answers fixed bytes of a signed Ret 0 answer; no DB). wrk
sends pre-generated, signed and encrypted bodies through a Lua script, each a real status
change, with the operator's AccessToken; app and bare runs alternate in rounds and the median
round (by ratio) is reported. Afterwards the history rows from pushes (one per change) must
number between the pushes answered and the pushes sent, none quarantined.

Pull: `pull_status` through `PullContext` and a real `TcecClient` whose transport is a fake
operator (httpx.MockTransport, real codec) serving `--stations` stations, repeated with flipped
statuses, each pull followed by a raw executemany INSERT of the same history rows into a scratch
table shaped like status_change; one transaction per pull in both cases. The target (>= 0.3)
is set against that floor. A second floor follows each pull: the rows the pull itself wrote
(history, current statuses, events) written again by raw executemany, to show how much of the
pull is its writing. Rates are medians over the pulls, ratios the medians of each pull's
ratios to the floors measured right after it (the machine is shared and noisy).

    python -m bench.ingest [--database-url URL] [--piles 1000] [--duration 5] [--rounds 3]
                           [--connections 32] [--stations 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr
from sqlmodel import SQLModel
from starlette.requests import Request
from starlette.responses import Response

from app.core.config import Settings
from app.core.db import Database, core_rows, execute, upsert_insert
from app.core.gc_freeze import freeze_startup_heap
from app.core.logging import configure_logging
from app.core.time import utc_now
from app.core.vault import SecretVault
from app.ingest.pull import PullContext, pull_status
from app.ingest.router import router as tcec_router
from app.main import create_app
from app.operators.schemas import OperatorOnboard
from app.operators.service import onboard_operator, outbound_channel
from app.piles.schemas import StationRecord
from app.status.codes import state_for_tcec_code
from app.tcec.client import STATUS_BATCH, TcecClient
from app.tcec.crypto import ChannelSecrets
from app.tcec.envelope import (
    decrypt_payload,
    format_timestamp,
    open_response,
    seal_request,
    seal_response,
    verify_request_signature,
)
from app.tcec.ret import Ret, TcecError
from app.tcec.wire import QueryStationStatusRequest, QueryTokenRequest, parse_wire
from bench.common import (
    BASE,
    CONNECTORS_PER_PILE,
    OPERATOR,
    SCRATCH,
    WRK,
    benchmark_arguments,
    catalogue,
    cpu_seconds,
    environment,
    postgres_url,
    seed,
    start,
    stop,
)

SECRET_KEY = "pilehub-bench-secret-key"  # encrypts the operator's secrets at rest
INBOUND = {  # what the operator uses to call the hub
    "operator_secret": "bench-operator-secret-0123456789",
    "data_secret": "a1b2c3d4e5f6g7h8",
    "data_secret_iv": "0011223344556677",
    "sig_secret": "bench-sig-secret-for-pushes",
}
OUTBOUND = {  # what the hub uses to call the operator
    "operator_secret": "bench-hub-secret-0123456789abcd",
    "data_secret": "h8g7f6e5d4c3b2a1",
    "data_secret_iv": "7766554433221100",
    "sig_secret": "bench-sig-secret-for-pulls",
}
PUSH_PATH, BARE_PATH = "/evcs/v1/notification_stationStatus", "/bench/bare"
CONTENT_TYPE = "application/json;charset=utf-8"
JSON_HEADERS = {"Content-Type": CONTENT_TYPE}
PUSH_BASE = BASE + timedelta(hours=1)  # TimeStamp of each connector's first push (1 h ago)
CAPACITY = 6_000  # bodies written per second of an app run; beyond that wrk would repeat them
SMOKE = 20  # pushes sent one by one and fully decoded before the load
DRAIN = 2.0  # seconds after an app run for the server to finish what wrk left in flight
PULL_RECORDS = 60_000  # pull at least this many status records (at least 5 pulls)
_URL_VARIABLE, _BARE_VARIABLE = "PILEHUB_BENCH_URL", "PILEHUB_BENCH_BARE"  # to serve()'s workers
LUA = r"""
-- args: a file of request bodies (one JSON per line), the Bearer token, the Content-Type
local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  bodies = {}
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  headers = {["Authorization"] = "Bearer " .. args[2], ["Content-Type"] = args[3]}
  sent, bad = 0, 0
end

function request()
  sent = sent + 1
  return wrk.format("POST", nil, headers, bodies[(sent - 1) % #bodies + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 or not string.find(body, '"Ret":0,', 1, true) then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("bench sent=%d bad=%d\n", thread:get("sent"), thread:get("bad")))
  end
end
"""


def secrets_of(channel: dict[str, str]) -> ChannelSecrets:
    return ChannelSecrets(channel["data_secret"], channel["data_secret_iv"], channel["sig_secret"])


PUSH_SECRETS, PULL_SECRETS = secrets_of(INBOUND), secrets_of(OUTBOUND)


def bench_settings(url: str) -> Settings:
    return Settings(
        database_url=url, access_log=False, log_level="WARNING", secret_key=SecretStr(SECRET_KEY)
    )


async def onboard(url: str) -> None:
    """Connect the operator through the operators service, with the known secrets."""
    settings, database = bench_settings(url), Database(url)
    try:
        async with database.session(write=True) as session:
            await onboard_operator(
                session,
                SecretVault(settings.secret_key.get_secret_value()),
                OperatorOnboard.model_validate(
                    {
                        "operator_id": OPERATOR,
                        "name": "bench operator",
                        "base_url": "http://operator.bench/evcs/v1/",
                        "inbound": INBOUND,
                        "outbound": OUTBOUND,
                    }
                ),
            )
    finally:
        await database.dispose()


# --- push -------------------------------------------------------------------------------------


def bench_app() -> FastAPI:
    """The real app plus the bare floor route on the same instance (a uvicorn factory, so
    that each of --workers processes builds its own, as `pilehub serve --workers` does)."""
    url, bare_body = os.environ[_URL_VARIABLE], bytes.fromhex(os.environ[_BARE_VARIABLE])

    async def bare(request: Request) -> Response:
        await request.body()
        return Response(bare_body, media_type="application/json")

    # In the T/CEC router, right after the receivers, so that routing costs both the same
    # (FastAPI tries routes in order; at the end of the app the floor measured slower).
    tcec_router.add_route(BARE_PATH, bare, methods=["POST"])
    return create_app(bench_settings(url), database=Database(url))


def serve(port: int, url: str, bare_body: bytes, workers: int) -> None:
    """Child process: uvicorn with `workers` processes of `bench_app`."""
    os.environ[_URL_VARIABLE], os.environ[_BARE_VARIABLE] = url, bare_body.hex()
    # uvicorn hands its stdin to each worker it spawns; this process's is not inheritable
    # (multiprocessing gave it /dev/null), and with none uvicorn passes none.
    sys.stdin = None
    uvicorn.run(
        "bench.ingest:bench_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        timeout_worker_healthcheck=30,  # as `pilehub serve`
        access_log=False,
        log_level="warning",
    )


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Pushes:
    """notification_stationStatus bodies, body i for connector i mod C in its cycle k = i // C.

    Each connector's k-th push is stamped PUSH_BASE + k seconds and carries the next T/CEC code
    of the cycle idle 1 -> charging 3 -> occupied 2, starting with one other than its seeded
    code: every body is a change and newer than the connector's last, as long as they arrive in
    order (wrk keeps at most --connections in flight, far fewer than C). Three codes rather
    than two, so that a push lost in flight when a wrk run stops leaves the next one a change.
    """

    CODES = (1, 3, 2)

    def __init__(self, seeded: list[tuple[str, int]]) -> None:
        self.connectors = [connector for connector, _ in seeded]
        self.phase = [1 if code == 1 else 0 for _, code in seeded]
        self.next = 0  # index of the next body to send

    def bodies(self, count: int) -> list[str]:
        return [self.body(i) for i in range(self.next, self.next + count)]

    def body(self, i: int) -> str:
        cycle, index = divmod(i, len(self.connectors))
        code = self.CODES[(self.phase[index] + cycle) % len(self.CODES)]
        payload = {"ConnectorStatusInfo": {"ConnectorID": self.connectors[index], "Status": code}}
        timestamp = format_timestamp(PUSH_BASE + timedelta(seconds=cycle))
        seq = f"{i % 9999 + 1:04d}"
        return _json(seal_request(OPERATOR, payload, PUSH_SECRETS, timestamp=timestamp, seq=seq))


@dataclass(frozen=True)
class Run:
    rate: float  # requests/s
    p50: float  # ms
    p99: float  # ms
    completed: int
    sent: int
    bad: int  # non-2xx or Ret != 0
    cpu_ms: float = 0.0  # the server's CPU time per answered request (all its processes)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk(url: str, token: str, bodies: Path, script: Path, args: argparse.Namespace) -> Run:
    """One wrk run of POSTs of the bodies in `bodies` to `url`."""
    assert WRK is not None
    # A long timeout: wrk leaves requests slower than it out of the latency figures.
    command = [WRK, "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "30s"]
    command += ["--latency"]
    command += ["-s", str(script), url, "--", str(bodies), token, CONTENT_TYPE]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    completed = re.search(r"(\d+) requests in", output)
    counts = re.search(r"bench sent=(\d+) bad=(\d+)", output)
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)\s*$", output, re.MULTILINE))
    if rate is None or completed is None or counts is None or set(latency) != {"50", "99"}:
        raise SystemExit(f"wrk failed:\n{output}")
    if "Socket errors" in output or not int(completed.group(1)):
        raise SystemExit(f"wrk saw connection errors or no answers:\n{output}")

    def ms(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
        return float(number) * _UNITS[unit]

    return Run(
        rate=float(rate.group(1)),
        p50=ms(latency["50"]),
        p99=ms(latency["99"]),
        completed=int(completed.group(1)),
        sent=int(counts.group(1)),
        bad=int(counts.group(2)),
    )


def call(
    client: httpx.Client, path: str, body: str, token: str | None
) -> tuple[int, str, Any, bytes]:
    """POST one sealed request; returns the decoded (Ret, Msg, Data) and the raw answer."""
    headers = {"Content-Type": CONTENT_TYPE}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = client.post(path, content=body.encode(), headers=headers).raise_for_status()
    return (*open_response(response.content, PUSH_SECRETS), response.content)


def login(client: httpx.Client) -> str:
    """An AccessToken through query_token, as the operator gets one."""
    payload = {"OperatorID": OPERATOR, "OperatorSecret": INBOUND["operator_secret"]}
    envelope = seal_request(
        OPERATOR, payload, PUSH_SECRETS, timestamp=format_timestamp(utc_now()), seq="0001"
    )
    ret, msg, data, _ = call(client, "/evcs/v1/query_token", _json(envelope), None)
    if ret != Ret.OK or not data or data["SuccStat"] != 0:
        raise SystemExit(f"query_token refused: Ret {ret} {msg!r} {data}")
    return str(data["AccessToken"])


async def history_counts(url: str) -> tuple[int, int]:
    """(status_change rows from T/CEC, quarantined records)."""
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            rows = await connection.scalar(
                sa.text("SELECT count(*) FROM status_change WHERE source = 'tcec'")
            )
            refused = await connection.scalar(sa.text("SELECT count(*) FROM quarantine_record"))
        return int(rows or 0), int(refused or 0)
    finally:
        await database.dispose()


def bench_push(
    url: str,
    seeded: list[tuple[str, int]],
    args: argparse.Namespace,
    tmp: Path,
    processes: list[Any],
) -> tuple[Run, Run]:
    """Rounds of app and bare wrk runs; returns the median round."""
    bare_body = _json(seal_response(Ret.OK, "", {"Status": 0}, PUSH_SECRETS)).encode()
    base_url = start(processes, serve, (url, bare_body, args.workers), "/healthz").removesuffix(
        "/healthz"
    )
    server = processes[-1].pid
    pushes, script, bodies = Pushes(seeded), tmp / "push.lua", tmp / "bodies.jsonl"
    script.write_text(LUA)
    with httpx.Client(base_url=base_url, timeout=30) as client:
        token = login(client)
        for body in pushes.bodies(SMOKE):  # the first pushes, decoded one by one
            answer = call(client, PUSH_PATH, body, token)
            if answer[:3] != (0, "", {"Status": 0}):
                raise SystemExit(f"a push was not accepted as a change: {answer[:3]}")
        pushes.next += SMOKE
    if answer[3] != bare_body:
        raise SystemExit(f"the bare answer differs from the app's: {answer[3]!r}")
    print(
        f"push body {len(pushes.body(0))} bytes, answer {len(bare_body)} bytes (bare: the same); "
        f"{len(seeded):,} connectors; first {SMOKE} pushes decoded: Ret 0, Status 0 (accepted)"
    )
    rounds, sent, completed, bad = [], SMOKE, SMOKE, 0
    for number in range(1, args.rounds + 1):
        count = CAPACITY * args.duration
        bodies.write_text("\n".join(pushes.bodies(count)) + "\n")
        cpu = cpu_seconds(server)
        app = wrk(f"{base_url}{PUSH_PATH}", token, bodies, script, args)
        if app.sent > count:
            print(f"  WARNING: {app.sent - count} bodies repeated (ignored as duplicates)")
        pushes.next += min(app.sent, count)
        time.sleep(DRAIN)  # the pushes wrk left in flight would otherwise slow the bare run
        app = replace(app, cpu_ms=1000 * (cpu_seconds(server) - cpu) / app.completed)
        cpu = cpu_seconds(server)
        bare = wrk(f"{base_url}{BARE_PATH}", token, bodies, script, args)
        bare = replace(bare, cpu_ms=1000 * (cpu_seconds(server) - cpu) / bare.completed)
        rounds.append((app, bare))
        sent, completed, bad = sent + app.sent, completed + app.completed, bad + app.bad + bare.bad
        print(
            f"  round {number}: push {app.rate:,.0f}/s (p50 {app.p50:.1f} ms, p99 "
            f"{app.p99:.1f} ms), bare {bare.rate:,.0f}/s (p50 {bare.p50:.1f} ms, p99 "
            f"{bare.p99:.1f} ms), ratio {app.rate / bare.rate:.3f}; server CPU per request "
            f"{app.cpu_ms:.2f} ms push, {bare.cpu_ms:.2f} ms bare"
        )
    stop(processes)  # every push in flight is committed or rolled back
    stored, refused = asyncio.run(history_counts(url))
    print(
        f"  pushes: {sent:,} sent, {completed:,} answered; answers other than 2xx with Ret 0 "
        f"(app and bare): {bad}; history rows from pushes {stored:,}, quarantined {refused}"
    )
    if bad or refused or not completed <= stored <= sent:
        raise SystemExit("pushes were refused, ignored or lost: see the counts above")
    return sorted(rounds, key=lambda r: r[0].rate / r[1].rate)[len(rounds) // 2]


# --- pull -------------------------------------------------------------------------------------


class FakeOperator:
    """The operator's side of query_token and query_station_status, on the real codec.

    Answers for the next pull are sealed and serialised in `flip()`, outside the timed pull:
    the operator's encryption is not the hub's cost. Requests are still verified, token-checked
    and decrypted (that is the operator's cost too, but it checks what the hub sends).
    """

    def __init__(self, stations: list[StationRecord], codes: dict[str, int], hub_id: str):
        self.connectors = {
            s.station_id: [c.connector_id for e in s.equipment for c in e.connectors]
            for s in stations
        }
        self.codes, self.hub_id = codes, hub_id
        self.tokens: set[str] = set()
        self.answers: dict[tuple[str, ...], bytes] = {}

    @property
    def records(self) -> int:
        return sum(len(connectors) for connectors in self.connectors.values())

    def flip(self) -> None:
        """Every connector's next status (1 <-> 3, anything else -> 1) and the answers."""
        self.codes = {c: 3 if code == 1 else 1 for c, code in self.codes.items()}
        ids = list(self.connectors)
        batches = [tuple(ids[i : i + STATUS_BATCH]) for i in range(0, len(ids), STATUS_BATCH)]
        self.answers = {batch: _json(self._status(batch)).encode() for batch in batches}

    def _status(self, station_ids: tuple[str, ...]) -> dict[str, Any]:
        infos = [
            {
                "StationID": station_id,
                "ConnectorStatusInfos": [
                    {"ConnectorID": c, "Status": self.codes[c]} for c in self.connectors[station_id]
                ],
            }
            for station_id in station_ids
        ]
        data = {"Total": len(infos), "StationStatusInfos": infos}
        return seal_response(Ret.OK, "", data, PULL_SECRETS)

    def handle(self, request: httpx.Request) -> httpx.Response:
        interface = request.url.path.rsplit("/", 1)[-1]
        try:
            _, envelope = verify_request_signature(
                request.content, lambda oid: PULL_SECRETS if oid == self.hub_id else None
            )
            if interface != "query_token":
                scheme, _, token = request.headers.get("authorization", "").partition(" ")
                if scheme != "Bearer" or token not in self.tokens:
                    raise TcecError(Ret.BAD_TOKEN, "token unknown")
            payload = decrypt_payload(envelope, PULL_SECRETS)
            if interface == "query_token":
                answer = self._token(parse_wire(QueryTokenRequest, payload))
            elif interface == "query_station_status":
                ids = tuple(parse_wire(QueryStationStatusRequest, payload).station_ids)
                sealed = self.answers.get(ids)
                if sealed is not None:  # the answer's JSON too was made outside the pull
                    return httpx.Response(200, content=sealed, headers=JSON_HEADERS)
                answer = self._status(ids)
            else:
                return httpx.Response(404, text="no such interface")
        except TcecError as error:
            answer = seal_response(error.ret, error.msg, None, PULL_SECRETS)
        return httpx.Response(200, json=answer)

    def _token(self, request: QueryTokenRequest) -> dict[str, Any]:
        if request.operator_secret != OUTBOUND["operator_secret"]:
            data = {"OperatorID": OPERATOR, "SuccStat": 1, "AccessToken": "", "FailReason": 2}
        else:
            token = secrets.token_urlsafe(32)
            self.tokens.add(token)
            data = {"OperatorID": OPERATOR, "SuccStat": 0, "AccessToken": token}
            data |= {"TokenAvailableTime": 7200, "FailReason": 0}
        return seal_response(Ret.OK, "", data, PULL_SECRETS)


@dataclass
class PullFigures:
    """Records/s (each the median over the pulls) and ratios (each the median of the pulls'
    ratios to the floor measured right after them)."""

    pull: float
    raw: float  # the history rows by raw executemany: the floor the target is set against
    own: float  # the pull's own writes (history, current statuses, events) by raw executemany
    ratio: float  # pull / raw
    own_ratio: float  # pull / own
    per_pull: int
    pulls: int


async def bench_pull(url: str, args: argparse.Namespace) -> PullFigures:
    """Status records/s through pull_status, each pull followed by the raw executemany of the
    same history rows (the floor the target is set against), then by the raw executemany of
    the rows the pull itself wrote (its history, current statuses and events: the floor of
    its own writes, to show how much of the pull is the writing)."""
    settings, database = bench_settings(url), Database(url)
    try:
        async with database.session() as session:
            vault = SecretVault(settings.secret_key.get_secret_value())
            channel = await outbound_channel(session, vault, OPERATOR)
        async with database.engine.connect() as connection:  # the statuses the pushes left
            rows = await connection.execute(
                sa.text(
                    "SELECT c.connector_id, s.raw_code, c.id FROM connector c "
                    "JOIN connector_status s ON s.connector_pk = c.id"
                )
            )
            current = [(connector_id, code, pk) for connector_id, code, pk in rows.all()]
        stations = catalogue(args.piles, args.stations)
        fake = FakeOperator(stations, {c: code for c, code, _ in current}, settings.hub_operator_id)
        per_pull = fake.records
        pulls = max(5, math.ceil(PULL_RECORDS / per_pull))
        pks = {connector_id: pk for connector_id, _, pk in current}
        async with database.engine.begin() as connection:  # untimed
            await connection.run_sync(SCRATCH.create)
        freeze_startup_heap(settings)  # as `pilehub worker`, where pulls run, does at start
        pairs: list[tuple[float, float]] = []  # (pull seconds, raw seconds)
        own_pairs: list[tuple[float, float]] = []  # (pull seconds, own writes' seconds)
        transport = httpx.MockTransport(fake.handle)
        async with TcecClient(
            base_url=channel.base_url,
            operator_id=settings.hub_operator_id,
            secrets=channel.secrets,
            operator_secret=channel.operator_secret,
            transport=transport,
        ) as client:
            context = PullContext(database, settings, channel, client)
            # Each pull is followed by the raw insert of its rows, so that both see the same
            # moments of this shared machine.
            for _ in range(pulls):
                fake.flip()
                context.counts.clear()
                marks = await last_ids(database)
                started = time.perf_counter()
                await pull_status(context)
                pull_time = time.perf_counter() - started
                if dict(context.counts) != {"changed": per_pull}:
                    raise SystemExit(f"pull: expected {per_pull} changes, got {context.counts}")
                now = utc_now()
                history_rows = [
                    {"connector_pk": pks[c], "status": state_for_tcec_code(code),
                     "raw_code": code, "observed_at": now, "received_at": now,
                     "source": "tcec", "applied": True}
                    for c, code in fake.codes.items()
                ]  # fmt: skip
                started = time.perf_counter()
                async with database.session(write=True) as session:
                    await execute(session, SCRATCH.insert(), history_rows)
                pairs.append((pull_time, time.perf_counter() - started))
                own_pairs.append((pull_time, await rewrite_own_writes(database, marks)))
        return PullFigures(
            pull=per_pull / statistics.median(pull for pull, _ in pairs),
            raw=per_pull / statistics.median(raw for _, raw in pairs),
            own=per_pull / statistics.median(own for _, own in own_pairs),
            ratio=statistics.median(raw / pull for pull, raw in pairs),
            own_ratio=statistics.median(own / pull for pull, own in own_pairs),
            per_pull=per_pull,
            pulls=pulls,
        )
    finally:
        await database.dispose()


_HISTORY, _CURRENT, _EVENTS = (
    SQLModel.metadata.tables[name] for name in ("status_change", "connector_status", "change_event")
)


async def last_ids(database: Database) -> tuple[int, int]:
    """The newest history and event ids: what a pull writes comes after them."""
    async with database.session() as session:
        history = await core_rows(session, sa.select(sa.func.max(_HISTORY.c.id)))
        events = await core_rows(session, sa.select(sa.func.max(_EVENTS.c.id)))
    return history[0][0] or 0, events[0][0] or 0


async def rewrite_own_writes(database: Database, marks: tuple[int, int]) -> float:
    """Seconds to write again, by SQLAlchemy executemany in one transaction, what the last
    pull wrote: its history and events (as new rows) and the current statuses (upserted to
    the values they have). The copies are then deleted, untimed, so that the next pull finds
    the tables as it left them."""
    async with database.session() as session:
        history = await core_rows(session, sa.select(_HISTORY).where(_HISTORY.c.id > marks[0]))
        current = await core_rows(session, sa.select(_CURRENT))
        events = await core_rows(session, sa.select(_EVENTS).where(_EVENTS.c.id > marks[1]))
    history_rows, event_rows = (
        [{name: value for name, value in row._mapping.items() if name != "id"} for row in rows]
        for rows in (history, events)
    )
    current_rows = [dict(row._mapping) for row in current]
    copies = await last_ids(database)
    started = time.perf_counter()
    async with database.session(write=True) as session:
        await execute(session, _HISTORY.insert(), history_rows)
        upsert = upsert_insert(session, _CURRENT)
        updates = {name: upsert.excluded[name] for name in current_rows[0]}
        del updates["connector_pk"]
        statement = upsert.on_conflict_do_update(index_elements=["connector_pk"], set_=updates)
        await execute(session, statement, current_rows)
        await execute(session, _EVENTS.insert(), event_rows)
    elapsed = time.perf_counter() - started
    async with database.session(write=True) as session:
        await execute(session, _HISTORY.delete().where(_HISTORY.c.id > copies[0]))
        await execute(session, _EVENTS.delete().where(_EVENTS.c.id > copies[1]))
    return elapsed


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = benchmark_arguments(__doc__ or "", rounds=3)
    parser.add_argument("--stations", type=int, default=500, help="stations the pull asks about")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes of the hub")
    args = parser.parse_args()
    if WRK is None:
        raise SystemExit("wrk not found (Debian's `wrk` package); the push benchmark needs it")
    if args.piles * CONNECTORS_PER_PILE < 8 * args.connections:
        raise SystemExit("too few connectors: concurrent pushes to one connector would reorder")
    configure_logging(level="WARNING")  # the client logs every call at INFO
    pg_url = postgres_url(args.database_url)
    processes: list[Any] = []
    with environment(pg_url, processes) as (url, tmp_dir):
        started = time.perf_counter()
        seeded = asyncio.run(seed(url, args.piles, args.stations))
        asyncio.run(onboard(url))
        print(
            f"seeded {len(seeded)} connectors in {args.stations} stations and onboarded "
            f"{OPERATOR} in {time.perf_counter() - started:.1f}s"
        )
        app, bare = bench_push(url, seeded, args, Path(tmp_dir), processes)
        pull = asyncio.run(bench_pull(url, args))
        print(
            f"  pull: {pull.pulls} pulls of {pull.per_pull:,} records ({args.stations} stations), "
            "all changes; medians below"
        )
        met = app.rate >= 1500 and app.p99 <= 50
        push_target = f">= 1,500/s, p99 <= 50 ms: {'met' if met else 'MISSED'}"
        pull_target = f">= 0.3: {'met' if pull.ratio >= 0.3 else 'MISSED'}"
        print(f"{'':32}{'rate':>10}{'p50':>12}{'p99':>12}{'ratio':>7}  target")
        print(row("push notification_stationStatus", app, app.rate / bare.rate, push_target))
        print(row("     bare route on the same app", bare))
        print(row("pull pull_status, records", pull.pull, pull.ratio, pull_target))
        print(row("     raw executemany, rows", pull.raw))
        print(row("     raw, the pull's own writes", pull.own, pull.own_ratio, "(pull / these)"))


def row(label: str, measured: Run | float, ratio: float | None = None, target: str = "") -> str:
    """One line of the results table: rate, and latencies for a wrk run."""
    if isinstance(measured, Run):
        text = f"{label:32}{measured.rate:8,.0f}/s{measured.p50:9.1f} ms{measured.p99:9.1f} ms"
    else:
        text = f"{label:32}{measured:8,.0f}/s{'':24}"
    return (text + (f"{ratio:7.3f}  {target}" if ratio is not None else "")).rstrip()


if __name__ == "__main__":
    main()
