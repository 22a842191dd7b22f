"""The hub pulling from an operator (the State Grid simulator's app, in process)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
import stamina
from sqlalchemy import func, text
from sqlmodel import col, select

from app.core.config import Settings
from app.core.db import Database, execute
from app.core.vault import SecretVault
from app.ingest.schedule import pull_operator
from app.models import Connector, ConnectorStatus, IngestCheckpoint, IngestRun, QuarantineRecord
from app.operators import service as operators_service
from app.operators.schemas import OperatorOnboard
from app.simulator.app import create_simulator_app
from app.simulator.credentials import STATE_GRID_OPERATOR_ID, onboarding_document
from app.simulator.process import build_state
from app.simulator.state import SimulatorState
from app.status.codes import state_for_tcec_code
from tests.tcec.faults import Fault, FaultyTransport

pytestmark = pytest.mark.asyncio


@pytest.fixture(autouse=True)
def no_backoff() -> Iterator[None]:
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest_asyncio.fixture
async def vault(demo_registry: Database, settings: Settings) -> SecretVault:
    vault = SecretVault(settings.secret_key.get_secret_value())
    async with demo_registry.session(write=True) as session:
        await operators_service.onboard_operator(
            session,
            vault,
            OperatorOnboard.model_validate(
                {
                    "operator_id": STATE_GRID_OPERATOR_ID,
                    "name": "国网电动汽车服务有限公司",
                    "base_url": "http://simulator.test/evcs/v1/",
                    **onboarding_document(),
                }
            ),
        )
    return vault


@pytest.fixture
def simulator() -> SimulatorState:
    # Quiet live incidents: the clock runs at 60x while the test reads the model after its
    # pulls, and an outage starting between the two would make the comparison a race.
    state, _orders = build_state(
        seed=7, speed=60.0, backfill_days=2, hub_operator_id="PILEHUB01", liveliness=0
    )
    return state


def transport(state: SimulatorState) -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=create_simulator_app(state))


async def pull_simulator(
    database: Database, settings: Settings, vault: SecretVault, simulator: SimulatorState
) -> list[IngestRun]:
    """Every kind of pull from the simulator, due or not."""
    return await pull_operator(
        database,
        vault,
        settings,
        STATE_GRID_OPERATOR_ID,
        transport=transport(simulator),
        force=True,
    )


async def hub_statuses(database: Database) -> dict[str, str]:
    async with database.session() as session:
        rows = await session.exec(
            select(Connector.connector_id, ConnectorStatus.status).join(
                ConnectorStatus, col(ConnectorStatus.connector_pk) == Connector.id
            )
        )
        return dict(rows.all())


async def test_a_pull_brings_the_hub_to_the_operators_state(
    demo_registry: Database, settings: Settings, vault: SecretVault, simulator: SimulatorState
) -> None:
    runs = await pull_simulator(demo_registry, settings, vault, simulator)
    assert {run.kind: run.status for run in runs} == {
        "stations": "ok",
        "status": "ok",
        "stats": "ok",
    }
    expected = {s.connector_id: state_for_tcec_code(s.status) for s in simulator.model.statuses()}
    assert await hub_statuses(demo_registry) == {k: v.value for k, v in expected.items() if v}
    async with demo_registry.session() as session:
        stored = (await session.exec(select(IngestRun))).all()
        kinds = set((await session.exec(select(IngestCheckpoint.kind))).all())
    assert {run.kind for run in stored} == {"stations", "status", "stats"}
    assert all(run.finished_at is not None for run in stored)
    assert {"stations_last_query", "last_pull", "stats_day"} <= kinds


async def test_a_second_pull_is_not_due_and_a_forced_one_changes_nothing(
    demo_registry: Database, settings: Settings, vault: SecretVault, simulator: SimulatorState
) -> None:
    args: dict[str, Any] = {"transport": transport(simulator)}
    await pull_operator(demo_registry, vault, settings, STATE_GRID_OPERATOR_ID, force=True, **args)
    assert await pull_operator(demo_registry, vault, settings, STATE_GRID_OPERATOR_ID, **args) == []
    before = await hub_statuses(demo_registry)
    again = await pull_operator(
        demo_registry, vault, settings, STATE_GRID_OPERATOR_ID, force=True, **args
    )
    status_run = next(run for run in again if run.kind == "status")
    assert status_run.counts.get("changed", 0) == 0
    assert await hub_statuses(demo_registry) == before


async def test_a_failing_operator_is_a_failed_run_and_nothing_half_stored(
    demo_registry: Database, settings: Settings, vault: SecretVault, simulator: SimulatorState
) -> None:
    faulty = FaultyTransport(transport(simulator), script=[Fault.SERVER_ERROR] * 50)
    runs = await pull_operator(
        demo_registry, vault, settings, STATE_GRID_OPERATOR_ID, transport=faulty, force=True
    )
    assert {run.status for run in runs} == {"failed"}
    assert all(run.error for run in runs)
    assert await hub_statuses(demo_registry) == {}
    async with demo_registry.session() as session:
        assert (await session.exec(select(func.count()).select_from(QuarantineRecord))).one() == 0


async def test_a_catalogue_pull_leaves_the_registry_analysed(
    demo_registry: Database, settings: Settings, vault: SecretVault, simulator: SimulatorState
) -> None:
    """On PostgreSQL the planner must know the registry's size before the status pull that
    follows at once: with a fresh table's statistics its lookup of a pull's connectors
    turns quadratic (46 ms instead of 6 for 2,000)."""
    if demo_registry.is_sqlite:
        pytest.skip("SQLite's batch lookups do not depend on statistics")
    before = await last_analysed(demo_registry)
    await pull_simulator(demo_registry, settings, vault, simulator)
    after = await last_analysed(demo_registry)
    assert after is not None
    assert before is None or after > before


async def last_analysed(database: Database) -> datetime | None:
    """When the connector table was last ANALYZEd by hand (not by autovacuum)."""
    async with database.session() as session:
        result = await execute(
            session,
            text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'connector'"),
        )
        moment: datetime | None = result.scalar_one()
        return moment


async def test_a_catalogue_pull_keeps_what_the_operator_did_not_send(
    demo_registry: Database,
    settings: Settings,
    vault: SecretVault,
    simulator: SimulatorState,
    client: httpx.AsyncClient,
) -> None:
    """Every demo station is registered `synthetic` (the hub's label: T/CEC has no such
    field), and the simulator's catalogue lists them all: the pull updates what it sent and
    leaves the label alone, so the API still tells demo data from an operator's."""
    before = await _synthetic_by_equipment(client)
    assert before
    assert all(before.values())
    await pull_simulator(demo_registry, settings, vault, simulator)
    async with demo_registry.session() as session:
        pulled = await session.exec(select(IngestRun.counts).where(IngestRun.kind == "stations"))
        (counts,) = pulled.all()
    assert counts["stations"] == len({pile[:19] for pile in before})  # it listed every one
    assert await _synthetic_by_equipment(client) == before


async def _synthetic_by_equipment(client: httpx.AsyncClient) -> dict[str, bool]:
    """Each pile's `synthetic` as `GET /v1/piles` reads it, walking every page."""
    found: dict[str, bool] = {}
    cursor: str | None = None
    while True:
        params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/v1/piles", params=params)).raise_for_status().json()
        found |= {pile["equipment_id"]: pile["synthetic"] for pile in body["items"]}
        cursor = body["next_cursor"]
        if cursor is None:
            return found
