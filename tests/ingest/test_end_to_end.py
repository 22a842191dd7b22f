"""SLOW end to end: the State Grid simulator and the hub as real `pilehub` processes talking
T/CEC 102 over loopback HTTP, checked against the simulator's ledger.

These are the slowest tests of the suite (tens of seconds per backend, real processes and
sockets); `pytest -m 'not slow'` skips them for a quick run. Every process logs to a file in
the test's tmp_path and the tail of each log is in any failure message.

Processes are stopped in the order that keeps the comparison with the ledger exact: the worker
first (SIGTERM: it finishes the pull in progress), then the hub (SIGTERM: uvicorn answers the
pushes it has read), then the simulator (SIGTERM: its ledger is closed). A push the simulator
makes after the hub stopped fails, stays in its queue and is in neither the hub nor the
ledger's delivered set.
"""

from __future__ import annotations

import asyncio
import logging
import random
import signal
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, text, update
from sqlmodel import col, select

from app.auth.scopes import Tier
from app.core.db import Database, execute
from app.core.time import utc_now
from app.ingest.pull import POLL_SOURCE
from app.ingest.schedule import STATS_DAY
from app.models import (
    ChargingSession,
    Connector,
    ConnectorStatus,
    IngestCheckpoint,
    IngestRun,
    Operator,
    OperatorConnection,
    Pile,
    QuarantineRecord,
    Station,
)
from app.simulator.credentials import (
    DEFAULT_HUB_OPERATOR_ID,
    DEMO_CREDENTIALS,
    STATE_GRID_OPERATOR_ID,
)
from app.simulator.ledger import CHARGE_ORDER, Kind, Ledger, LedgerEntry, Outcome
from app.tcec.client import TcecClient
from app.tcec.wire import StationInfo
from tests.auth.helpers import register
from tests.fixtures.databases import fresh_database_url
from tests.fixtures.processes import (
    CliProcess,
    ProcessGroup,
    free_ports,
    http_ok,
    subprocess_env,
    wait_for,
)

pytestmark = [pytest.mark.asyncio, pytest.mark.slow]

BEIXINJING = "310105011"
BEIXINJING_PILES = 17
PULL_KINDS = frozenset({"stations", "status", "stats"})
QUERY_STATION_STATUS = "query_station_status"
SETTLED_ORDER = ("delivered", "refused", "disputed")  # ledger outcomes that end an order
KILLS = 5
KILL_SEED = 20221127

log = logging.getLogger(__name__)


# --- the rig: demo seed, hub, simulator -------------------------------------------------------


@dataclass
class Rig:
    group: ProcessGroup
    database: Database
    hub: str  # http://127.0.0.1:HP
    simulator: str  # http://127.0.0.1:SP
    ledger_path: Path
    hub_process: CliProcess
    simulator_process: CliProcess
    operator_pk: int


@asynccontextmanager
async def running_rig(
    backend: str, tmp_path: Path, *, backfill_days: int, tick: str, continuous_pulls: bool
) -> AsyncIterator[Rig]:
    """`pilehub demo --no-serve` (seed and onboard the simulator), `pilehub serve` and
    `pilehub simulate stategrid`, all up; stopped (and the database dropped) on exit."""
    hub_port, simulator_port = free_ports(2)
    hub, simulator = f"http://127.0.0.1:{hub_port}", f"http://127.0.0.1:{simulator_port}"
    ledger_path = tmp_path / "ledger.jsonl"
    async with fresh_database_url(backend, tmp_path) as url:
        env = subprocess_env(
            PILEHUB_DATABASE_URL=url,
            PILEHUB_LOG_LEVEL="INFO",
            PILEHUB_ACCESS_LOG="false",
            PILEHUB_INGEST_TICK_INTERVAL=tick,
        )
        database = Database(url)
        try:
            with ProcessGroup(tmp_path, env) as group:
                group.run("demo", "demo", "--no-serve", "--simulator-port", str(simulator_port))
                operator_pk = await _operator_pk(database)
                if continuous_pulls:
                    async with database.session(write=True) as session:
                        await execute(
                            session,
                            update(OperatorConnection)
                            .where(col(OperatorConnection.operator_pk) == operator_pk)
                            .values(pull_interval_seconds=0),
                        )
                hub_process = group.start("serve", "serve", "--port", str(hub_port))
                await wait_for(
                    partial(http_ok, f"{hub}/readyz"),
                    what="the hub's /readyz",
                    within=30,
                    group=group,
                )
                simulator_process = group.start(
                    "simulator",
                    "simulate",
                    "stategrid",
                    "--hub-url",
                    f"{hub}/evcs/v1/",
                    "--port",
                    str(simulator_port),
                    "--backfill-days",
                    str(backfill_days),
                    "--speed",
                    "60",
                    "--ledger",
                    str(ledger_path),
                )
                await wait_for(
                    partial(http_ok, f"{simulator}/healthz"),
                    what="the simulator's /healthz",
                    within=30,
                    group=group,
                )
                yield Rig(
                    group,
                    database,
                    hub,
                    simulator,
                    ledger_path,
                    hub_process,
                    simulator_process,
                    operator_pk,
                )
        finally:
            await database.dispose()


async def _operator_pk(database: Database) -> int:
    async with database.session() as session:
        pk = (
            await session.exec(
                select(Operator.id).where(Operator.operator_id == STATE_GRID_OPERATOR_ID)
            )
        ).one()
    assert pk is not None
    return pk


def stop_everything(rig: Rig, worker: CliProcess) -> datetime:
    """Worker, hub, simulator, each with SIGTERM and a clean shutdown; returns when the hub
    began to stop (pushes failing after that are the simulator's to keep)."""
    stop_cleanly(rig.group, worker, "worker stopped")
    hub_stopping = utc_now()
    stop_cleanly(rig.group, rig.hub_process, "Application shutdown complete")
    stop_cleanly(rig.group, rig.simulator_process, "simulator.stop")
    return hub_stopping


def stop_cleanly(group: ProcessGroup, process: CliProcess, last_words: str) -> None:
    """SIGTERM; the process must shut down by itself and say so. uvicorn re-raises the
    signal after its graceful shutdown, so -SIGTERM is a clean exit too."""
    code = group.stop(process)
    assert code in (0, -signal.SIGTERM), f"{process.name} exited {code}\n{group.logs()}"
    assert last_words in process.tail(), f"{process.name} did not shut down\n{group.logs()}"


# --- what the simulator says -----------------------------------------------------------------


async def ledger_summary(rig: Rig) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=5.0) as client:
        response = await client.get(f"{rig.simulator}/ledger")
    response.raise_for_status()
    summary: dict[str, Any] = response.json()
    return summary


async def backfill_settled(rig: Rig, connectors: int) -> dict[str, Any] | None:
    """The summary once the initial pushes are done: every connector's status answered Ret 0,
    every closed order answered for good, nothing waiting for a retry."""
    summary = await ledger_summary(rig)
    order_counts: dict[str, int] = summary["counts"].get(CHARGE_ORDER, {})
    settled = sum(order_counts.get(outcome, 0) for outcome in SETTLED_ORDER)
    done = (
        summary["pending"] == {"statuses": 0, "orders": 0}
        and len(summary["statuses_delivered"]) == connectors
        and settled >= summary["orders_closed"] > 0
    )
    return summary if done else None


def simulator_client(rig: Rig) -> TcecClient:
    """The hub's side of the channel (outbound demo credentials), as the worker uses it."""
    return TcecClient(
        base_url=f"{rig.simulator}/evcs/v1/",
        operator_id=DEFAULT_HUB_OPERATOR_ID,
        secrets=DEMO_CREDENTIALS.outbound.secrets,
        operator_secret=DEMO_CREDENTIALS.outbound.operator_secret,
    )


async def simulator_catalogue(client: TcecClient) -> list[StationInfo]:
    infos: list[StationInfo] = []
    page_no = 1
    while True:
        page = await client.query_stations_info(page_no=page_no, page_size=50)
        infos += page.station_infos
        if page_no >= page.page_count:
            return infos
        page_no += 1


async def simulator_statuses(client: TcecClient, station_ids: list[str]) -> dict[str, int]:
    answer = await client.query_station_status(station_ids)
    return {
        connector.connector_id: connector.status
        for station in answer.station_status_infos
        for connector in station.connector_status_infos
    }


def answered_statuses(entry: LedgerEntry) -> dict[str, int]:
    """ConnectorID → Status in the simulator's answer to one query_station_status."""
    return {
        str(connector["ConnectorID"]): int(connector["Status"])
        for station in entry.result["StationStatusInfos"]
        for connector in station["ConnectorStatusInfos"]
    }


def order_outcomes(ledger: Ledger, seqs: Iterable[str]) -> dict[str, list[str]]:
    wanted = set(seqs)
    outcomes: dict[str, list[str]] = {seq: [] for seq in wanted}
    for entry in ledger.pushes(CHARGE_ORDER):
        seq = str(entry.payload["StartChargeSeq"])
        if seq in wanted:
            outcomes[seq].append(f"{entry.outcome.value}@{entry.wall_time.isoformat()}")
    return outcomes


# --- what the hub holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class HubStatus:
    raw_code: int
    observed_at: datetime
    received_at: datetime
    source: str

    @property
    def from_poll(self) -> bool:
        """Statuses learnt by polling are marked as such (app/ingest/pull.py POLL_SOURCE)."""
        return self.source == POLL_SOURCE


async def hub_statuses(database: Database, operator_pk: int) -> dict[str, HubStatus]:
    async with database.session() as session:
        rows = (
            await session.exec(
                select(ConnectorStatus, Connector.connector_id)
                .join(Connector, col(ConnectorStatus.connector_pk) == col(Connector.id))
                .where(Connector.operator_pk == operator_pk)
            )
        ).all()
    return {
        cid: HubStatus(row.raw_code, row.observed_at, row.received_at, row.source)
        for row, cid in rows
    }


async def connector_ids(database: Database, operator_pk: int) -> set[str]:
    async with database.session() as session:
        rows = await session.exec(
            select(Connector.connector_id).where(Connector.operator_pk == operator_pk)
        )
        return set(rows.all())


async def ingest_runs(database: Database) -> list[IngestRun]:
    async with database.session() as session:
        return list((await session.exec(select(IngestRun).order_by(col(IngestRun.id)))).all())


async def run_started_since(database: Database, since: datetime) -> IngestRun | None:
    runs = [run for run in await ingest_runs(database) if run.started_at >= since]
    return runs[0] if runs else None


async def run_in_progress(database: Database, since: datetime) -> IngestRun | None:
    async with database.session() as session:
        return (
            await session.exec(
                select(IngestRun).where(
                    IngestRun.status == "running", col(IngestRun.started_at) >= since
                )
            )
        ).first()


async def round_finished(
    database: Database, since: datetime, kinds: frozenset[str]
) -> list[IngestRun] | None:
    """The finished runs started since `since`, once they cover every kind in `kinds`."""
    runs = [
        run
        for run in await ingest_runs(database)
        if run.started_at >= since and run.finished_at is not None
    ]
    return runs if kinds <= {run.kind for run in runs} else None


async def charge_seqs(database: Database, operator_pk: int) -> list[str]:
    async with database.session() as session:
        rows = await session.exec(
            select(ChargingSession.start_charge_seq).where(
                ChargingSession.operator_pk == operator_pk
            )
        )
        return list(rows.all())


async def registry(rig: Rig) -> dict[str, Counter[str]]:
    """How many rows each StationID, EquipmentID and ConnectorID of the operator has."""
    async with rig.database.session() as session:
        stations = await session.exec(
            select(Station.station_id).where(Station.operator_pk == rig.operator_pk)
        )
        piles = await session.exec(
            select(Pile.equipment_id).where(Pile.operator_pk == rig.operator_pk)
        )
        connectors = await session.exec(
            select(Connector.connector_id).where(Connector.operator_pk == rig.operator_pk)
        )
        return {
            "station": Counter(stations.all()),
            "pile": Counter(piles.all()),
            "connector": Counter(connectors.all()),
        }


async def quarantined(database: Database) -> list[QuarantineRecord]:
    async with database.session() as session:
        return list((await session.exec(select(QuarantineRecord))).all())


# --- shared checks ---------------------------------------------------------------------------


async def assert_sessions_match_ledger(rig: Rig, ledger: Ledger, hub_stopping: datetime) -> int:
    """Every order the hub confirmed is exactly one charging_session row, and no other row
    exists; an order the hub never confirmed was only tried after the hub began to stop."""
    delivered = ledger.delivered_orders()
    rows = Counter(await charge_seqs(rig.database, rig.operator_pk))
    missing = sorted(delivered - rows.keys())
    extra = sorted(rows.keys() - delivered)
    duplicated = sorted(seq for seq, n in rows.items() if n > 1)
    assert (missing, extra, duplicated) == ([], [], []), (
        f"missing {missing}, extra {extra}, duplicated {duplicated}; ledger outcomes: "
        f"{order_outcomes(ledger, [*missing, *extra, *duplicated])}"
    )
    assert sum(rows.values()) == len(delivered) > 0
    attempted = {str(entry.payload["StartChargeSeq"]) for entry in ledger.pushes(CHARGE_ORDER)}
    early_failures = {
        seq: outcomes
        for seq, outcomes in order_outcomes(ledger, attempted - delivered).items()
        if any(
            entry.outcome is not Outcome.FAILED or entry.wall_time < hub_stopping
            for entry in ledger.pushes(CHARGE_ORDER)
            if entry.payload["StartChargeSeq"] == seq
        )
    }
    assert early_failures == {}, "orders the hub did not take while it was up"
    return len(delivered)


async def assert_no_quarantine(rig: Rig) -> None:
    records = await quarantined(rig.database)
    assert records == [], [(r.source, r.reason, r.payload) for r in records]


# --- the tests -------------------------------------------------------------------------------


async def test_simulator_to_hub_over_loopback_loses_nothing(backend: str, tmp_path: Path) -> None:
    """Seed, hub, simulator (2 days of backfill at speed 60) and worker as processes; once the
    backfill is delivered and the worker has pulled once, stop them and compare.

    Sessions: the StartChargeSeqs the ledger says the hub confirmed are exactly the hub's
    charging_session rows (none missing, none extra, none twice).

    Statuses, the rule asserted for each connector (both sides are exact, nothing is skipped):

    * The hub's row was written by a push (source "tcec"): it holds the ledger's final
      status, the last status push the hub answered Ret 0 to. Pushes of one connector are
      sent one at a time, so the ledger has them in the order the hub applied them.
    * The row was written by a pull (source "tcec:pull"): a poll that disagrees with the hub
      corrects it to the simulator's state (app/status/fold.py), ordered just after the
      state it replaced, so no later push has arrived since. Its status is then the one the
      simulator answered to that poll: the last query_station_status answer in the ledger
      before the row's received_at (the poll time).

    The worker starts after the initial pushes are in, so most rows come from pushes; which
    connectors a poll corrects depends on timing and is printed, not asserted.
    """
    async with running_rig(
        backend, tmp_path, backfill_days=2, tick="PT0.5S", continuous_pulls=False
    ) as rig:
        connectors = await connector_ids(rig.database, rig.operator_pk)
        assert len(connectors) > BEIXINJING_PILES
        await wait_for(
            partial(backfill_settled, rig, len(connectors)),
            what="the simulator's initial statuses and backfill to be delivered",
            within=60,
            group=rig.group,
        )
        worker_started = utc_now()
        worker = rig.group.start("worker", "worker")
        await wait_for(
            partial(round_finished, rig.database, worker_started, PULL_KINDS),
            what="the worker's first pull (stations, status, stats)",
            within=60,
            group=rig.group,
        )
        client_id, secret = await register(rig.database, tier=Tier.STREET, area=BEIXINJING)
        assert secret is not None
        async with httpx.AsyncClient(timeout=10.0) as client:
            grant = await client.post(
                f"{rig.hub}/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(client_id, secret),
            )
            assert grant.status_code == 200, grant.text
            response = await client.get(
                f"{rig.hub}/v1/board",
                params={"area": BEIXINJING},
                headers={"Authorization": f"Bearer {grant.json()['access_token']}"},
            )
        assert response.status_code == 200, response.text
        board = response.json()
        hub_stopping = stop_everything(rig, worker)

        ledger = Ledger.load(rig.ledger_path)
        delivered = await assert_sessions_match_ledger(rig, ledger, hub_stopping)

        final = ledger.final_statuses()
        hub = await hub_statuses(rig.database, rig.operator_pk)
        assert set(final) == connectors, "a connector's status was never answered Ret 0"
        assert set(hub) == connectors, "a connector has no status in the hub"
        answers = [
            entry
            for entry in ledger
            if entry.kind is Kind.ANSWER
            and entry.interface == QUERY_STATION_STATUS
            and entry.outcome is Outcome.ANSWERED
        ]
        expected: dict[str, int] = {}
        corrected_by_poll: list[str] = []
        for connector_id, row in hub.items():
            if row.from_poll:
                polls = [a for a in answers if a.wall_time <= row.received_at]
                assert polls, f"{connector_id} polled at {row.received_at}, no answer before"
                expected[connector_id] = answered_statuses(polls[-1])[connector_id]
                corrected_by_poll.append(connector_id)
            else:
                expected[connector_id] = final[connector_id]
        actual = {connector_id: row.raw_code for connector_id, row in hub.items()}
        assert actual == expected, {
            cid: (actual[cid], expected[cid], "poll" if hub[cid].from_poll else "push")
            for cid in connectors
            if actual[cid] != expected[cid]
        }

        await assert_no_quarantine(rig)
        runs = await ingest_runs(rig.database)
        assert {run.kind for run in runs} == PULL_KINDS
        assert [(run.kind, run.status) for run in runs if run.status != "ok"] == []

        assert board["area"]["counts"]["total"] == BEIXINJING_PILES
        assert board["area"]["counts"]["unknown"] == 0
        assert len(board["piles"]) == BEIXINJING_PILES
        assert [p["equipment_id"] for p in board["piles"] if p["colour"] == "unknown"] == []
        log.warning(
            "[%s] %d orders, %d connectors (%d last set by a poll), ledger %s",
            backend,
            delivered,
            len(connectors),
            len(corrected_by_poll),
            ledger.counts(),
        )


async def test_sigkill_of_the_worker_mid_pull_loses_and_duplicates_nothing(
    backend: str, tmp_path: Path
) -> None:
    """Pulls run back to back (pull_interval_seconds = 0, tick 0.1 s) while the worker is
    SIGKILLed and restarted, KILLS times: each time a seeded random 0.1–1.5 s after its first
    ingest run began, then as soon as a pull is in progress, a random 0–60 ms into it (so
    kills land in HTTP calls and in page transactions, and at least one cuts a run short).
    Then one worker runs cleanly until a run of each kind finishes (the daily stats
    checkpoint is cleared first so stats run too) and is stopped with SIGTERM.

    Asserted: the only ingest_runs left 'running' are of killed workers (at most one each,
    started within that worker's lifetime, no finished_at); every other run finished 'ok';
    stations, piles and connectors are exactly the simulator's catalogue, each once; the
    hub's statuses equal the simulator's current ones (query_station_status, compared while
    the clean worker keeps polling, until two answers around a hub read agree); the
    charging sessions are exactly the ledger's delivered orders; no quarantine; on SQLite
    `PRAGMA integrity_check` is ok.
    """
    async with running_rig(
        backend, tmp_path, backfill_days=1, tick="PT0.1S", continuous_pulls=True
    ) as rig:
        connectors = await connector_ids(rig.database, rig.operator_pk)
        rng = random.Random(KILL_SEED)
        lifetimes: list[tuple[datetime, datetime]] = []  # each killed worker: start, kill
        for _ in range(KILLS):
            spawned = utc_now()
            worker = rig.group.start("worker", "worker")
            await wait_for(
                partial(run_started_since, rig.database, spawned),
                what="a restarted worker's first ingest run",
                within=60,
                group=rig.group,
                interval=0.02,
            )
            await asyncio.sleep(rng.uniform(0.1, 1.5))
            # Then into whichever pull is next in progress, at a random point of it (a pull
            # takes some 50-100 ms: its HTTP calls, then its page's transaction).
            await wait_for(
                partial(run_in_progress, rig.database, spawned),
                what="the worker's next pull",
                within=30,
                group=rig.group,
                interval=0.005,
            )
            await asyncio.sleep(rng.uniform(0.0, 0.06))
            code = rig.group.kill(worker)
            lifetimes.append((spawned, utc_now()))
            assert code == -signal.SIGKILL, f"worker exited {code} before the kill"

        await wait_for(
            partial(backfill_settled, rig, len(connectors)),
            what="the simulator's initial statuses and backfill to be delivered",
            within=30,
            group=rig.group,
        )
        async with rig.database.session(write=True) as session:
            await execute(
                session, delete(IngestCheckpoint).where(col(IngestCheckpoint.kind) == STATS_DAY)
            )
        clean_start = utc_now()
        worker = rig.group.start("worker", "worker")
        await wait_for(
            partial(round_finished, rig.database, clean_start, PULL_KINDS),
            what="a run of each kind by the clean worker",
            within=60,
            group=rig.group,
        )

        async with simulator_client(rig) as client:
            catalogue = await simulator_catalogue(client)
            station_ids = [info.station_id for info in catalogue]
            last_difference: list[object] = []

            async def statuses_agree() -> bool:
                before = await simulator_statuses(client, station_ids)
                asked = utc_now()
                await wait_for(
                    partial(round_finished, rig.database, asked, frozenset({"status"})),
                    what="a status pull after asking the simulator",
                    within=20,
                    group=rig.group,
                )
                hub = await hub_statuses(rig.database, rig.operator_pk)
                after = await simulator_statuses(client, station_ids)
                held = {connector_id: row.raw_code for connector_id, row in hub.items()}
                if before == after == held:
                    return True
                last_difference[:] = [
                    (cid, before.get(cid), held.get(cid), after.get(cid))
                    for cid in sorted(before.keys() | held.keys() | after.keys())
                    if not before.get(cid) == held.get(cid) == after.get(cid)
                ]
                return False

            try:
                await wait_for(
                    statuses_agree,
                    what="the hub's statuses to equal the simulator's",
                    within=30,
                    group=rig.group,
                )
            except AssertionError as error:
                raise AssertionError(
                    f"(connector, simulator, hub, simulator again): {last_difference}"
                ) from error
            statuses = await simulator_statuses(client, station_ids)
        assert set(statuses) == connectors

        hub_stopping = stop_everything(rig, worker)

        runs = await ingest_runs(rig.database)
        running = [run for run in runs if run.status == "running"]
        owners: list[int] = []
        for run in running:
            assert run.finished_at is None, run
            owner = [
                i for i, (start, end) in enumerate(lifetimes) if start <= run.started_at <= end
            ]
            assert len(owner) == 1, f"{run} was left running by a worker that was not killed"
            owners.append(owner[0])
        assert len(owners) == len(set(owners)), "a killed worker left two runs running"
        assert running, "no kill landed inside a pull"
        finished = [run for run in runs if run.status != "running"]
        assert [(r.id, r.kind, r.status, r.error) for r in finished if r.status != "ok"] == []
        assert all(run.finished_at is not None for run in finished)
        assert PULL_KINDS <= {run.kind for run in finished if run.started_at >= clean_start}

        equipment = [e for info in catalogue for e in info.equipment_infos]
        assert await registry(rig) == {
            "station": Counter(info.station_id for info in catalogue),
            "pile": Counter(e.equipment_id for e in equipment),
            "connector": Counter(c.connector_id for e in equipment for c in e.connector_infos),
        }

        ledger = Ledger.load(rig.ledger_path)
        delivered = await assert_sessions_match_ledger(rig, ledger, hub_stopping)
        await assert_no_quarantine(rig)
        if rig.database.is_sqlite:
            async with rig.database.session() as session:
                check = (await execute(session, text("PRAGMA integrity_check"))).scalars().all()
            assert check == ["ok"]
        log.warning(
            "[%s] %d kills, %d runs cut short, %d runs, %d orders, %d statuses agree",
            backend,
            KILLS,
            len(running),
            len(runs),
            delivered,
            len(statuses),
        )
