"""Benchmark energy analytics from rollups against raw GROUP BYs over sessions, and session
ingest with rollup maintenance against a raw insert.

1. A fresh database (SQLite in a temp dir, or a new PostgreSQL database) gets a generated
   city (`pilehub generate city`'s code: the registry through the real services, sessions
   bulk-loaded with rollups through the live ingest's rollup maintenance). With
   `--existing`, a city already generated into `--database-url` is measured instead.
2. Queries: the real API in a spawned uvicorn process answers GET /v1/energy for the monthly
   energy per street of one district and per district of the city (one month, from rollups),
   `--queries` times each; the same figures as a raw GROUP BY over `charging_session` (joined
   to the registry, grouped by the path prefix) run in this process on the same database.
   p50/p95 of both, and the totals (they differ only by sessions crossing a month edge: the
   raw query books a session on the month it starts, rollups split it at midnight).
3. Peak memory (VmHWM) of the API process after the queries.
4. Ingest: `--ingest` new sessions through `record_charge_orders` (rollups maintained in the
   same transaction) in batches of 500, one write session per batch, against a raw Core
   executemany INSERT of the same rows into a scratch table with charging_session's columns.
   Afterwards the sessions are taken out again (their rollup shares, events and rows), so
   an `--existing` city is left as it was found.

    python -m bench.energy [--database-url URL [--existing]] [--connectors 20000]
                           [--streets 40] [--districts 16] [--days 90] [--sessions 300000]
                           [--ingest 20000] [--queries 50] [--raw-queries N] [--json]

The full city (200,000 connectors, 200 streets, 365 days, 10 million sessions) on
PostgreSQL: generate it once with `pilehub generate city` (resumable), then
`python -m bench.energy --database-url postgresql+asyncpg://.../pilehub_city --existing
--connectors 200000 --streets 200 --days 365 --sessions 10000000 --raw-queries 3`
(bench/README.md has the whole procedure and the figures).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn
from sqlmodel import SQLModel

from app.auth.principal import city_principal
from app.auth.scopes import Tier
from app.changelog.kinds import Kind
from app.core.columns import UTCDateTime
from app.core.config import RateLimit, Settings
from app.core.db import Database, execute, key_params, key_table
from app.core.gc_freeze import freeze_startup_heap
from app.core.migrations import upgrade
from app.core.time import LOCAL_TZ, utc_now
from app.energy import service as energy_service
from app.energy.periods import TimeOfUse
from app.generate.loader import generate_city
from app.generate.plan import CityPlan, connector_ids, day_orders, streets
from app.main import create_app
from app.oauth import service as auth_service
from app.piles import repository as piles_repository
from app.sessions import repository as sessions_repository
from app.sessions.schemas import ChargeOrderRecord, SessionOutcome
from app.sessions.service import record_charge_orders
from bench.common import environment, postgres_url, start

BATCH = 500
# The generated day index of the ingested sessions' StartChargeSeqs (`day_seq_prefix`): far
# beyond any generated city's days, so they are the bench's own.
INGEST_DAY_INDEX = 9000
SESSIONS = SQLModel.metadata.tables["charging_session"]
EVENTS = SQLModel.metadata.tables["change_event"]
SCRATCH = sa.Table(
    "bench_charging_session",
    sa.MetaData(),
    *(sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
      for c in SQLModel.metadata.tables["charging_session"].columns),
)  # fmt: skip
RAW = """
SELECT substr(j.path, 1, :prefix) AS grp, sum(s.energy_wh) AS energy_wh
FROM charging_session s
JOIN connector c ON c.id = s.connector_pk
JOIN pile p ON p.id = c.pile_pk
JOIN jurisdiction j ON j.id = p.jurisdiction_id
WHERE j.path >= :low AND j.path < :high AND s.start_at >= :start AND s.start_at < :end
GROUP BY substr(j.path, 1, :prefix)
"""


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", help="postgresql+asyncpg://.../<new db>; default SQLite")
    parser.add_argument("--connectors", type=int, default=20_000)
    parser.add_argument("--districts", type=int, default=16)
    parser.add_argument("--streets", type=int, default=40)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--sessions", type=int, default=300_000)
    parser.add_argument("--ingest", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument(
        "--raw-queries", type=int, help="raw GROUP BY rounds (default --queries; at the full "
        "city's 10 million sessions each takes seconds)",
    )  # fmt: skip
    parser.add_argument(
        "--existing", action="store_true",
        help="measure a city already generated into --database-url with the same options "
        "(`pilehub generate city`); it is neither created, generated nor dropped, and the "
        "sessions the ingest step adds are taken out again",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object only")
    return parser.parse_args()


def serve(port: int, url: str) -> None:
    """Child process: the real API on the database, with no rate limit in the way."""
    settings = Settings(
        database_url=url, access_log=False, log_level="WARNING",
        api_rate=RateLimit(per_second=1e6, burst=1_000_000),
    )  # fmt: skip
    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_config=None,
                access_log=False)  # fmt: skip


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def token(base: str, url: str) -> str:
    database = Database(url)
    try:
        async with database.session(write=True) as session:
            created = await auth_service.create_client(
                session, city_principal("310000"), name="bench", tier=Tier.CITY,
                area_code="310000",
            )  # fmt: skip
    finally:
        await database.dispose()
    async with httpx.AsyncClient(base_url=base) as client:
        response = await client.post(
            "/oauth/token", data={"grant_type": "client_credentials"},
            auth=(created.client.client_id, created.secret or ""),
        )  # fmt: skip
        response.raise_for_status()
        return str(response.json()["access_token"])


def last_full_month(plan: CityPlan, today: date) -> tuple[date, date]:
    end = plan.end_day(today)
    first_of_end = end.replace(day=1)
    if end.month == (end + timedelta(days=1)).month:  # the last day's month is incomplete
        last = first_of_end - timedelta(days=1)
        return last.replace(day=1), last
    return first_of_end, end


async def timed_api(
    base: str, bearer: str, params: dict[str, str], rounds: int
) -> tuple[list[float], float]:
    samples, total = [], 0.0
    headers = {"Authorization": f"Bearer {bearer}"}
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as client:
        for _ in range(rounds):
            began = time.perf_counter()
            response = await client.get("/v1/energy", params=params)
            samples.append(time.perf_counter() - began)
            response.raise_for_status()
            total = sum(t["energy_kwh"] for t in response.json()["totals"])
    return samples, total


async def timed_raw(
    url: str, prefix: int, path: str, first: date, last: date, rounds: int
) -> tuple[list[float], float]:
    start = datetime.combine(first, datetime.min.time(), tzinfo=LOCAL_TZ)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=LOCAL_TZ)
    database = Database(url)
    # Bound through the column type, so each database compares its own stored form.
    statement = sa.text(RAW).bindparams(
        sa.bindparam("start", type_=UTCDateTime), sa.bindparam("end", type_=UTCDateTime)
    )
    params = {"prefix": prefix, "low": path, "high": path[:-1] + "0", "start": start, "end": end}
    samples, total = [], 0.0
    try:
        for _ in range(rounds):
            async with database.session() as session:
                began = time.perf_counter()
                rows = (await execute(session, statement, params)).all()
                samples.append(time.perf_counter() - began)
            total = sum(int(row.energy_wh) for row in rows) / 1000
    finally:
        await database.dispose()
    return samples, total


async def ingest(url: str, plan: CityPlan, count: int, today: date) -> dict[str, float]:
    """`count` new sessions (another seed, so new keys) through the service and raw; the
    sessions are taken out again afterwards (`remove_sessions`)."""
    fresh = CityPlan(connectors=plan.connectors, districts=plan.districts, streets=plan.streets,
                     days=1, sessions=count, seed=plan.seed + 1)  # fmt: skip
    orders = day_orders(fresh, connector_ids(plan), INGEST_DAY_INDEX, plan.end_day(today))
    database = Database(url)
    tou = energy_service.time_of_use(Settings().energy)
    try:
        # Left by a run of this bench from before it cleaned up: they would be duplicates.
        leftovers = await remove_sessions(database, orders, tou)
        async with database.engine.begin() as connection:
            await connection.run_sync(SCRATCH.create)
        rows = [_scratch_row(i, order) for i, order in enumerate(orders)]
        # As the API and the worker, where orders arrive, do at start: what was built before
        # (here also the bench's own input) is not walked by every full collection.
        freeze_startup_heap(Settings())
        created = 0
        began = time.perf_counter()
        for offset in range(0, len(orders), BATCH):
            async with database.session(write=True) as session:
                results = await record_charge_orders(
                    session, orders[offset : offset + BATCH], tou=tou
                )
            created += sum(r.outcome is SessionOutcome.CREATED for r in results)
        service = time.perf_counter() - began
        if created != count:
            raise SystemExit(f"ingest: {created} of {count} orders created a session")
        began = time.perf_counter()
        for offset in range(0, len(rows), BATCH):
            async with database.session(write=True) as session:
                await execute(session, SCRATCH.insert(), rows[offset : offset + BATCH])
        raw = time.perf_counter() - began
    finally:
        async with database.engine.begin() as connection:
            await connection.run_sync(SCRATCH.drop, checkfirst=True)
        await remove_sessions(database, orders, tou)
        await database.dispose()
    return {"service_per_s": count / service, "raw_per_s": count / raw, "leftovers": leftovers}


async def remove_sessions(
    database: Database, orders: Sequence[ChargeOrderRecord], tou: TimeOfUse
) -> int:
    """Take the orders' sessions out again, so that a measured city (`--existing`) is left
    as it was found: their share of the rollups through the live rollup maintenance (as
    removals), their change events and the sessions, in one transaction. Rollup rows the
    sessions created stay, at zero, which every reader takes as no row. Returns how many
    sessions there were."""
    async with database.session(write=True) as session:
        operators = await piles_repository.operator_pks(session, {o.operator_id for o in orders})
        keys = {(operators[o.operator_id], o.start_charge_seq) for o in orders
                if o.operator_id in operators}  # fmt: skip
        stored = await sessions_repository.stored(session, keys)
        if not stored:
            return 0
        rows = [row._mapping for row in stored.values()]
        await energy_service.follow_sessions(session, [(row, None) for row in rows], tou=tou)
        dialect = session.get_bind().dialect.name
        subjects = key_table({"subject": sa.String}, dialect)
        await execute(
            session,
            EVENTS.delete().where(
                EVENTS.c.kind == Kind.SESSION_RECORDED,
                EVENTS.c.subject.in_(sa.select(subjects.c.subject)),
            ),
            key_params({"subject": [f"session:{row['id']}" for row in rows]}, dialect),
        )
        ids = key_table({"id": sa.BigInteger}, dialect)
        await execute(
            session,
            SESSIONS.delete().where(SESSIONS.c.id.in_(sa.select(ids.c.id))),
            key_params({"id": [row["id"] for row in rows]}, dialect),
        )
        return len(rows)


def _scratch_row(index: int, order: Any) -> dict[str, Any]:
    now = utc_now()
    return {
        "id": index + 1, "operator_pk": 1, "start_charge_seq": order.start_charge_seq,
        "connector_pk": 1 + index % 1000, "start_at": order.start_at, "end_at": order.end_at,
        "energy_wh": order.energy_wh, "elec_money_fen": None, "service_money_fen": None,
        "total_money_fen": None, "stop_reason": None, "details": [], "received_at": now,
        "updated_at": now,
    }  # fmt: skip


async def prepare(url: str, plan: CityPlan, today: date) -> float:
    """Migrate and generate the city; returns the seconds the generation took."""
    database = Database(url)
    try:
        await upgrade(database.engine)
        began = time.perf_counter()
        await generate_city(database, plan, today=today, energy=Settings().energy)
        return time.perf_counter() - began
    finally:
        await database.dispose()


def run(options: argparse.Namespace) -> dict[str, Any]:
    sizes = ("connectors", "districts", "streets", "days", "sessions")
    plan = CityPlan(**{name: getattr(options, name) for name in sizes})
    today = utc_now().astimezone(LOCAL_TZ).date()
    processes: list[Any] = []
    results: dict[str, Any] = {"plan": {name: getattr(plan, name) for name in sizes}}
    pg_url = postgres_url(options.database_url)
    if options.existing and pg_url is None:
        raise SystemExit("--existing needs --database-url")
    with environment(None if options.existing else pg_url, processes) as (url, _tmp):
        if options.existing and pg_url is not None:
            url = pg_url.render_as_string(hide_password=False)
        else:
            seconds = asyncio.run(prepare(url, plan, today))
            results["generate"] = {"seconds": round(seconds, 1),
                                   "sessions_per_s": round(plan.sessions / seconds)}  # fmt: skip
        base = start(processes, serve, (url,), "/healthz").removesuffix("/healthz")
        bearer = asyncio.run(token(base, url))
        first, last = last_full_month(plan, today)
        district = next(streets(plan)).district
        cases = {
            "streets_of_one_district": (district, 24, f"310000/{district}/", "street"),
            "districts_of_the_city": ("310000", 14, "310000/", "district"),
        }
        for name, (area, prefix, path, group_by) in cases.items():
            params = {"area": area, "granularity": "month", "group_by": group_by,
                      "from": first.isoformat(), "to": last.isoformat()}  # fmt: skip
            api, api_total = asyncio.run(timed_api(base, bearer, params, options.queries))
            rounds = options.raw_queries or options.queries
            raw, raw_total = asyncio.run(timed_raw(url, prefix, path, first, last, rounds))
            results[name] = {
                "month": f"{first:%Y-%m}",
                "rollups_api_p50_ms": round(statistics.median(api) * 1000, 1),
                "rollups_api_p95_ms": round(percentile(api, 0.95) * 1000, 1),
                "raw_group_by_p50_ms": round(statistics.median(raw) * 1000, 1),
                "raw_group_by_p95_ms": round(percentile(raw, 0.95) * 1000, 1),
                "rollups_kwh": round(api_total, 1),
                "raw_kwh": round(raw_total, 1),
            }
        results["api_peak_memory_mib"] = round(peak_memory_mib(processes[-1].pid), 1)
        rates = asyncio.run(ingest(url, plan, options.ingest, today))
        results["ingest"] = {
            "sessions": options.ingest,
            "with_rollups_per_s": round(rates["service_per_s"]),
            "raw_insert_per_s": round(rates["raw_per_s"]),
            "ratio": round(rates["service_per_s"] / rates["raw_per_s"], 3),
            "leftovers_removed": int(rates["leftovers"]),
        }
    return results


def main() -> None:
    options = arguments()
    results = run(options)
    if options.json:
        print(json.dumps(results, ensure_ascii=False))
        return
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
