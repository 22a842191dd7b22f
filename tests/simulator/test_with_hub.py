"""The simulator pushing into the real hub receivers (ASGI), through the real client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import select

from app.core.db import Database
from app.core.time import LOCAL_TZ, utc_now
from app.models import ChargingSession, Connector, ConnectorStatus
from app.operators import service as operators_service
from app.operators.schemas import OperatorOnboard
from app.simulator.behaviour import DEMO_LIVELINESS
from app.simulator.clock import SimClock
from app.simulator.credentials import (
    DEMO_CREDENTIALS,
    STATE_GRID_NAME,
    onboarding_document,
)
from app.simulator.fleet import FleetModel
from app.simulator.ledger import Outcome
from app.simulator.pusher import Pusher
from app.simulator.state import SimulatorState
from app.status.codes import TCEC_STATES
from app.tcec.client import ClientLimits, TcecClient
from tests.simulator.conftest import SEED, Catalogue

pytestmark = pytest.mark.asyncio


class Controlled:
    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


def _last_evening() -> datetime:
    """The latest local 17:00 at least 3 h ago: the three simulated hours from it are past
    (the hub refuses future times) and in the evening peak, so live orders happen whatever
    the hour the test runs at (from 8 h ago, a morning run simulated the small hours)."""
    now = utc_now().astimezone(LOCAL_TZ)
    evening = now.replace(hour=17, minute=0, second=0, microsecond=0)
    if evening > now - timedelta(hours=3):
        evening -= timedelta(days=1)
    return evening.astimezone(UTC)


async def test_the_hub_takes_everything_the_simulator_sends(
    app: Any, demo_registry: Database, catalogue: Catalogue
) -> None:
    async with demo_registry.session(write=True) as session:
        await operators_service.onboard_operator(
            session,
            app.state.context.vault,
            OperatorOnboard.model_validate(
                {
                    "operator_id": DEMO_CREDENTIALS.operator_id,
                    "name": STATE_GRID_NAME,
                    "base_url": "http://127.0.0.1:9/evcs/v1/",
                    **onboarding_document(),
                }
            ),
        )
    origin = _last_evening()
    # a recent epoch spares the fast-forward from 2022 (the hub needs recent times)
    model = FleetModel(seed=SEED, catalogue=catalogue, epoch=origin - timedelta(days=3))
    orders = model.backfill(days=1, end=origin)
    ticks = Controlled()
    clock = SimClock(origin=origin, speed=3600, monotonic=ticks)  # a second is an hour
    state = SimulatorState(model=model, clock=clock)
    inbound = DEMO_CREDENTIALS.inbound
    async with TcecClient(
        base_url="http://pilehub.test/evcs/v1/",
        operator_id=DEMO_CREDENTIALS.operator_id,
        secrets=inbound.secrets,
        operator_secret=inbound.operator_secret,
        transport=httpx.ASGITransport(app=app),
        limits=ClientLimits(attempts=1, deadline=10),
        clock=clock.stamp,
    ) as client:
        pusher = Pusher(state, client, retry_interval=0)
        await pusher.push_initial(orders)
        for _ in range(3):
            ticks.seconds += 1  # a simulated hour
            await pusher.run_once()

    counts = state.ledger.counts()
    assert set(counts["notification_charge_order_info"]) == {"delivered"}, counts
    assert set(counts["notification_stationStatus"]) <= {"delivered", "ignored"}, counts
    assert not state.pending
    async with demo_registry.session() as session:
        seqs = set((await session.exec(select(ChargingSession.start_charge_seq))).all())
        rows = (
            await session.exec(
                select(Connector.connector_id, ConnectorStatus.raw_code).join(
                    ConnectorStatus,
                    ConnectorStatus.connector_pk == Connector.id,  # type: ignore[arg-type]
                )
            )
        ).all()
    assert seqs == state.ledger.delivered_orders()
    assert len(seqs) > len(orders)  # live orders too
    hub_status = dict(rows)
    assert hub_status == {s.connector_id: s.status for s in state.model.statuses()}
    assert all(code in TCEC_STATES for code in hub_status.values())
    assert Outcome.REFUSED.value not in str(counts)


async def test_the_demo_board_starts_with_every_colour(
    app: Any, demo_registry: Database, client: httpx.AsyncClient, catalogue: Catalogue
) -> None:
    """The lively backfill (`pilehub demo`'s), pushed into the hub: once it has landed,
    Beixinjing's board shows green, yellow and red, each from the simulator's own faults."""
    async with demo_registry.session(write=True) as session:
        await operators_service.onboard_operator(
            session,
            app.state.context.vault,
            OperatorOnboard.model_validate(
                {
                    "operator_id": DEMO_CREDENTIALS.operator_id,
                    "name": STATE_GRID_NAME,
                    "base_url": "http://127.0.0.1:9/evcs/v1/",
                    **onboarding_document(),
                }
            ),
        )
    origin = utc_now().replace(microsecond=0) - timedelta(minutes=5)
    model = FleetModel(
        seed=SEED,
        # Beixinjing's piles only: the board under test, in half the pushes.
        catalogue=[(c, s) for c, s in catalogue if c.code.startswith("310105011")],
        epoch=origin - timedelta(days=10),
        liveliness=DEMO_LIVELINESS,
    )
    orders = model.backfill(days=7, end=origin)  # the staged red needs a week of history
    state = SimulatorState(model=model, clock=SimClock(origin=origin, speed=1.0))
    inbound = DEMO_CREDENTIALS.inbound
    async with TcecClient(
        base_url="http://pilehub.test/evcs/v1/",
        operator_id=DEMO_CREDENTIALS.operator_id,
        secrets=inbound.secrets,
        operator_secret=inbound.operator_secret,
        transport=httpx.ASGITransport(app=app),
        limits=ClientLimits(attempts=1, deadline=30),
        clock=state.clock.stamp,
    ) as tcec:
        await Pusher(state, tcec, retry_interval=0).push_initial(orders)
    assert not state.pending

    response = await client.get("/v1/board", params={"area": "310105011"})
    assert response.status_code == 200, response.text
    board = response.json()
    counts = board["area"]["counts"]
    assert counts["total"] == 17
    assert counts["green"] >= 10, counts
    assert counts["yellow"] >= 1, counts
    assert counts["red"] >= 1, counts
    causes = {p["colour_cause"] for p in board["piles"] if p["colour"] == "red"}
    assert "repeated-fault" in causes, causes  # the staged pile, red without the sweep
