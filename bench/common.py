"""What the benchmarks share: a fresh database seeded with one street, servers in spawned
processes, the scratch floor table, and cleanup of all of it on exit (Ctrl-C and SIGTERM too).

Not a benchmark itself; the benchmarks import it. Run them as modules from the project root
(`python -m bench.board`): as scripts, `bench/graphql.py` would shadow graphql-core.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from app.auth.principal import city_principal
from app.auth.scopes import Tier
from app.core.config import ColourRules, RateLimit, Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.core.time import utc_now
from app.jurisdictions.service import ensure_jurisdiction
from app.models import JurisdictionLevel
from app.oauth.service import create_client
from app.operators.service import ensure_operator
from app.piles.schemas import ConnectorRecord, EquipmentRecord, StationRecord
from app.piles.service import refresh_registry_statistics, register_station
from app.status.schemas import StatusReport
from app.status.service import record_status_reports

OPERATOR, STREET, COMMUNITIES, CONNECTORS_PER_PILE = "MA002TMQX", "310105011", 20, 2
CITY = "310000"
UNLIMITED = RateLimit(per_second=1e6, burst=10**6)  # benchmarks measure, they do not throttle
SEED_CODES = [1, 1, 1, 2, 3, 3, 255, 0]  # mostly idle/charging, some faulted and offline
WRK = shutil.which("wrk")
BASE = utc_now() - timedelta(hours=2)  # seed time; later reports follow it
# status_change's columns without its foreign key and index: the floor for the history rows.
SCRATCH = sa.Table(
    "bench_status_change",
    sa.MetaData(),
    *(sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
      for c in SQLModel.metadata.tables["status_change"].columns),
)  # fmt: skip


def benchmark_arguments(doc: str, *, rounds: int) -> argparse.ArgumentParser:
    """The options every benchmark takes: where, how big, how long, how many times."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--database-url", help="postgresql+asyncpg://.../<new db>; default SQLite")
    parser.add_argument("--piles", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=rounds, help="app/bare pairs; median is kept")
    parser.add_argument("--connections", type=int, default=32)
    return parser


def catalogue(piles: int, stations: int = COMMUNITIES) -> list[StationRecord]:
    """`stations` stations over the street's COMMUNITIES communities (round-robin), and the
    piles spread over the stations round-robin; deterministic, so a fake operator can serve
    the same catalogue."""
    if not 1 <= stations <= piles:
        raise SystemExit(f"need 1 <= stations <= piles, got {stations} stations, {piles} piles")
    return [_station(number, piles, stations) for number in range(1, stations + 1)]


def _station(number: int, piles: int, stations: int) -> StationRecord:
    """Station `number`, with every `stations`-th pile."""
    station_id = f"310105{OPERATOR}{number:04d}"
    community = (number - 1) % COMMUNITIES + 1
    equipment = []
    for pile in range(number, piles + 1, stations):
        equipment_id = f"{station_id}{pile // stations:03d}"
        ids = [f"{equipment_id}{c}" for c in range(1, CONNECTORS_PER_PILE + 1)]
        connectors = [ConnectorRecord(connector_id=i, power_kw=7.0) for i in ids]
        equipment.append(EquipmentRecord(equipment_id=equipment_id, connectors=connectors))
    return StationRecord(
        operator_id=OPERATOR, station_id=station_id, name=f"bench station {number}",
        jurisdiction_code=f"{STREET}{community:03d}", area_code="310105", equipment=equipment,
    )  # fmt: skip


def report(connector_id: str, code: int, observed_at: datetime) -> StatusReport:
    return StatusReport(
        operator_id=OPERATOR, connector_id=connector_id, code=code, observed_at=observed_at,
        received_at=observed_at + timedelta(seconds=1), source="bench",
    )  # fmt: skip


async def seed(url: str, piles: int, stations: int = COMMUNITIES) -> list[tuple[str, int]]:
    """Migrate, then build one street with `piles` piles in `stations` stations through the
    real services; every connector gets a status at BASE. Returns [(connector id, code)]."""
    database = Database(url)
    try:
        await upgrade(database.engine)
        hierarchy = [("310000", None, "city"), ("310105", "310000", "district")]
        hierarchy += [(STREET, "310105", "street")]
        hierarchy += [(f"{STREET}{n:03d}", STREET, "community") for n in range(1, COMMUNITIES + 1)]
        records = catalogue(piles, stations)
        async with database.session(write=True) as session:
            for code, parent, level in hierarchy:
                await ensure_jurisdiction(
                    session, code=code, name=f"bench {code}", level=JurisdictionLevel(level),
                    parent_code=parent,
                )  # fmt: skip
            await ensure_operator(session, operator_id=OPERATOR, name="bench operator")
            for station in records:
                await register_station(session, station)
            await refresh_registry_statistics(session)  # as a catalogue pull ends
        connectors = [c.connector_id for s in records for e in s.equipment for c in e.connectors]
        seeded = [(c, SEED_CODES[i % len(SEED_CODES)]) for i, c in enumerate(connectors)]
        async with database.session(write=True) as session:
            reports = [report(connector, code, BASE) for connector, code in seeded]
            await record_status_reports(session, reports, rules=ColourRules())
        return seeded
    finally:
        await database.dispose()


def start(
    processes: list[Any], target: Callable[..., None], args: tuple[Any, ...], path: str
) -> str:
    """Run `target(port, *args)` in a spawned process on a free port; returns the URL of
    `path` on it once a GET of that URL answers 2xx."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = multiprocessing.get_context("spawn").Process(target=target, args=(port, *args))
    processes.append(process)  # before start(), so an interrupt mid-start still cleans up
    process.start()
    url = f"http://127.0.0.1:{port}{path}"
    for _ in range(300):
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=30).raise_for_status():
                return url
        if not process.is_alive():
            raise SystemExit(f"server on port {port} exited with {process.exitcode}")
        time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not come up")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live descendants (Linux /proc): what a
    server spent, whatever else the shared machine was doing meanwhile."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                # Fields after the command name, which is in parentheses and may hold spaces.
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
                stats[int(entry.name)] = fields
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        if current in stats:
            total += int(stats[current][11]) + int(stats[current][12])  # utime, stime
        pending += children.get(current, [])
    return total / tick


def stop(processes: list[Any]) -> None:
    """Terminate (then kill) every started process and wait for it."""
    for process in processes:
        if process.pid is None:  # interrupted before it was started
            continue
        process.terminate()
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join()


async def admin(url: sa.URL, statement: str) -> None:
    """Run CREATE/DROP DATABASE on the server's `postgres` maintenance database."""
    engine = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


def postgres_url(database_url: str | None) -> sa.URL | None:
    """The parsed --database-url (PostgreSQL only), or None for the SQLite default."""
    pg_url = sa.make_url(database_url) if database_url else None
    if pg_url is not None and pg_url.get_backend_name() != "postgresql":
        raise SystemExit("--database-url must be postgresql+asyncpg://...; SQLite is the default")
    return pg_url


@contextlib.contextmanager
def environment(pg_url: sa.URL | None, processes: list[Any]) -> Iterator[tuple[str, str]]:
    """A fresh database (its URL) and a temp dir; on exit, even by Ctrl-C or SIGTERM, the
    `processes` are stopped, the temp dir removed and the PostgreSQL database dropped."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanup on kill too
    tmp_dir, created = tempfile.mkdtemp(prefix="pilehub-bench-"), False
    try:
        url = f"sqlite+aiosqlite:///{tmp_dir}/bench.db"
        if pg_url is not None:  # a fresh database: fails (and is left alone) if it exists
            asyncio.run(admin(pg_url, f'CREATE DATABASE "{pg_url.database}"'))
            created, url = True, pg_url.render_as_string(hide_password=False)
        yield url, tmp_dir
    finally:
        stop(processes)
        shutil.rmtree(tmp_dir, ignore_errors=True)
        if created and pg_url is not None:
            asyncio.run(admin(pg_url, f'DROP DATABASE IF EXISTS "{pg_url.database}" WITH (FORCE)'))


# --- wrk with a Lua script, and a city client: auth.py and graphql.py -----------------------

LUA = r"""
-- args: method, Authorization value, body, Content-Type ("-" for none)
local threads = {}
function setup(thread) table.insert(threads, thread) end

function init(args)
  local headers, body = {}, nil
  if args[2] ~= "-" then headers["Authorization"] = args[2] end
  if args[3] ~= "-" then body = args[3] end
  if args[4] ~= "-" then headers["Content-Type"] = args[4] end
  req = wrk.format(args[1], nil, headers, body)
  bad = 0
end

function request() return req end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("bench bad=%d\n", thread:get("bad")))
  end
end
"""
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Run:
    rate: float  # requests/s
    p99: float  # ms


def bench_settings(url: str) -> Settings:
    return Settings(
        database_url=url, access_log=False, log_level="WARNING",
        secret_key=SecretStr("pilehub-bench-secret-key"), token_rate=UNLIMITED, api_rate=UNLIMITED,
    )  # fmt: skip


async def register(url: str) -> tuple[str, str]:
    """A city client (client_secret_basic) through the auth service: (client_id, secret)."""
    database = Database(url)
    try:
        async with database.session(write=True) as session:
            new = await create_client(
                session, city_principal(CITY), name="bench", tier=Tier.CITY, area_code=CITY
            )
        if new.secret is None:
            raise SystemExit("the client got no secret")
        return new.client.client_id, new.secret
    finally:
        await database.dispose()


def wrk(url: str, script: Path, args: argparse.Namespace, *lua_args: str) -> Run:
    """One wrk run; fails on connection errors or any answer other than 200."""
    command = [WRK or "wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
    command += ["--timeout", "30s", "-s", str(script), url, "--", *lua_args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    bad = re.findall(r"bench bad=(\d+)", output)
    if rate is None or p99 is None or not bad or "Socket errors" in output:
        raise SystemExit(f"wrk failed or saw connection errors:\n{output}")
    if sum(map(int, bad)) or "Non-2xx" in output or not float(rate.group(1)):
        raise SystemExit(f"{sum(map(int, bad))} answers other than 200 from {url}:\n{output}")
    return Run(float(rate.group(1)), float(p99.group(1)) * _UNITS[p99.group(2)])
