"""The pusher against a fake hub: everything delivered once up, nothing lost while down."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.simulator.clock import SimClock
from app.simulator.fleet import FleetModel, OrderFinished, StatusChange
from app.simulator.ledger import CHARGE_ORDER, STATION_STATUS, Outcome
from app.simulator.orders import ChargeOrder
from app.simulator.pusher import Pusher
from app.simulator.state import SimulatorState
from app.tcec.errors import FeedProtocolError, FeedTransportError
from tests.simulator.conftest import REPORT_END, SEED, Catalogue

pytestmark = pytest.mark.asyncio

FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


class FakeHub:
    """Answers like the hub's receivers; can be down, or refuse chosen orders with 4004."""

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.down = False
        self.refuse: set[str] = set()
        self.statuses: list[tuple[str, int, datetime]] = []  # connector, status, stamp
        self.orders: list[str] = []

    async def notify(self, interface: str, payload: Any) -> Any:
        if self.down:
            raise FeedTransportError(f"{interface}: ConnectError", retryable=True)
        if interface == STATION_STATUS:
            infos = payload["ConnectorStatusInfo"]  # one object, or a list of one instant
            for info in infos if isinstance(infos, list) else [infos]:
                self.statuses.append((info["ConnectorID"], info["Status"], self.clock.stamp()))
            return {"Status": 0}
        seq = payload["StartChargeSeq"]
        if seq in self.refuse:
            raise FeedProtocolError(f"{interface}: peer answered Ret 4004", ret=4004)
        self.orders.append(seq)
        return {"StartChargeSeq": seq, "ConnectorID": payload["ConnectorID"], "ConfirmResult": 0}


class Controlled:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self) -> float:
        return self.seconds


def setup(
    catalogue: Catalogue, *, days: int = 3, speed: float = 60.0
) -> tuple[SimulatorState, list[ChargeOrder], FakeHub, Pusher, Controlled]:
    model = FleetModel(seed=SEED, catalogue=catalogue)
    orders = model.backfill(days=days, end=REPORT_END)
    ticks = Controlled()
    clock = SimClock(origin=REPORT_END, speed=speed, wall=lambda: FAR_FUTURE, monotonic=ticks)
    state = SimulatorState(model=model, clock=clock)
    hub = FakeHub(clock)
    return state, orders, hub, Pusher(state, hub, concurrency=4, retry_interval=0), ticks


async def test_initial_push_delivers_every_status_and_order(catalogue: Catalogue) -> None:
    state, orders, hub, pusher, _ = setup(catalogue)
    await pusher.push_initial(orders)
    ledger = state.ledger
    assert ledger.final_statuses() == {s.connector_id: s.status for s in state.model.statuses()}
    assert ledger.delivered_orders() == {o.start_charge_seq for o in orders}
    assert hub.orders == [o.start_charge_seq for o in orders]  # in time order
    energy = ledger.energy_by_community(state.community_of())
    assert energy == {
        c.code: (Decimal(c.monthly_kwh) * 3 / 30).quantize(Decimal("0.01")) for c, _ in catalogue
    }
    assert not state.pending


async def test_nothing_is_lost_while_the_hub_is_down(catalogue: Catalogue) -> None:
    state, orders, hub, pusher, ticks = setup(catalogue)
    hub.down = True
    await pusher.push_initial(orders)
    assert len(state.pending.orders) == len(orders)
    assert len(state.pending.statuses) == len(state.model.specs)
    ticks.seconds += 6 * 60  # six simulated hours pass while the hub is down
    state.advance()
    events = state.drain()
    await pusher.push_events(events)
    changed = {e.connector_id for e in events if isinstance(e, StatusChange)}
    superseded = list(state.ledger.pushes(STATION_STATUS, Outcome.SUPERSEDED))
    assert changed
    assert len(superseded) >= len(changed)
    assert len(state.pending.statuses) == len(state.model.specs)  # still one per connector
    live_orders = [e for e in events if isinstance(e, OrderFinished)]
    assert len(state.pending.orders) == len(orders) + len(live_orders)

    hub.down = False
    await pusher.retry_pending()
    assert not state.pending
    final = {s.connector_id: s.status for s in state.model.statuses()}
    assert state.ledger.final_statuses() == final
    assert {connector for connector, _, _ in hub.statuses} == set(final)
    assert len(hub.statuses) == len(final)  # only the newest status of each connector
    assert state.ledger.delivered_orders() == {o.start_charge_seq for o in orders} | {
        e.order.start_charge_seq for e in live_orders
    }
    # while down, one failed try stopped the rest from being tried (each costs retries)
    failed = [e for e in state.ledger if e.outcome is Outcome.FAILED]
    assert len(failed) == 1


async def test_a_refused_order_is_not_retried(catalogue: Catalogue) -> None:
    state, orders, hub, pusher, _ = setup(catalogue, days=1)
    hub.refuse = {orders[0].start_charge_seq}
    await pusher.push_initial(orders)
    refused = list(state.ledger.pushes(CHARGE_ORDER, Outcome.REFUSED))
    assert [e.payload["StartChargeSeq"] for e in refused] == [orders[0].start_charge_seq]
    assert refused[0].ret == 4004
    assert not state.pending
    await pusher.retry_pending()
    assert len(hub.orders) == len(orders) - 1


async def test_the_backfilled_window_goes_as_status_history_in_time_order(
    catalogue: Catalogue,
) -> None:
    state, orders, hub, pusher, _ = setup(catalogue)
    await pusher.push_initial(orders)
    history = state.model.status_history()
    begin = REPORT_END - timedelta(days=3)
    # every status of the window, each stamped with its own time, oldest first
    assert hub.statuses == [(s.connector_id, s.status, s.since) for s in history]
    assert len(history) > 5 * len(state.model.specs)
    assert {s.status for s in history} >= {0, 1, 2, 3}
    # each connector starts at the window's start (or when a status under way there began)
    first: dict[str, datetime] = {}
    for status in history:
        first.setdefault(status.connector_id, status.since)
    assert set(first) == {spec.connector_id for spec in state.model.specs}
    assert all(since <= begin for since in first.values())
    # the statuses of one instant share a push: most connectors at the window's start
    pushes = list(state.ledger.pushes(STATION_STATUS, Outcome.DELIVERED))
    assert len(pushes) < len(history)
    lists = [p.payload["ConnectorStatusInfo"] for p in pushes]
    assert max(len(x) for x in lists if isinstance(x, list)) > len(state.model.specs) // 2
    assert state.ledger.final_statuses() == {
        s.connector_id: s.status for s in state.model.statuses()
    }


async def test_a_connectors_history_push_waits_for_its_previous_one(catalogue: Catalogue) -> None:
    state, _, hub, pusher, _ = setup(catalogue, days=1)
    in_flight: set[str] = set()
    overlaps: list[str] = []
    most = 0
    notify = hub.notify

    async def slow(interface: str, payload: Any) -> Any:
        nonlocal most
        infos = payload["ConnectorStatusInfo"]
        ids = {i["ConnectorID"] for i in (infos if isinstance(infos, list) else [infos])}
        overlaps.extend(ids & in_flight)
        in_flight.update(ids)
        most = max(most, len(in_flight))
        await asyncio.sleep(0.001)
        in_flight.difference_update(ids)
        return await notify(interface, payload)

    hub.notify = slow  # type: ignore[method-assign]
    await pusher.push_history(state.model.status_history())
    assert not overlaps
    assert most > 1  # other connectors' statuses go side by side
    assert [stamp for _, _, stamp in hub.statuses] == sorted(s for _, _, s in hub.statuses)


async def test_live_changes_are_stamped_with_their_own_time(catalogue: Catalogue) -> None:
    state, orders, hub, pusher, ticks = setup(catalogue, days=1)
    twin = FleetModel(seed=SEED, catalogue=catalogue)
    twin.backfill(days=1, end=REPORT_END)
    await pusher.push_initial(orders)
    initial = len(hub.statuses)
    stamps = [(connector, stamp) for connector, _, stamp in hub.statuses]
    assert stamps == [(s.connector_id, s.since) for s in state.model.status_history()]
    assert [stamp for _, stamp in stamps] == sorted(stamp for _, stamp in stamps)  # oldest first
    for _ in range(12):
        ticks.seconds += 30  # half a simulated hour per tick
        await pusher.run_once()
    expected = [
        (e.connector_id, e.status, e.at)
        for e in twin.step(REPORT_END + timedelta(hours=6))
        if isinstance(e, StatusChange)
    ]
    assert sorted(hub.statuses[initial:]) == sorted(expected)
    assert state.model.now == REPORT_END + timedelta(hours=6)
    # The ledger says when each push was stamped: the operator time the hub dates it by.
    ledgered = sorted(
        (info["ConnectorID"], info["Status"], entry.stamped_at)
        for entry in state.ledger
        if entry.interface == "notification_stationStatus"
        for info in _infos(entry.payload)
    )
    assert ledgered == sorted(hub.statuses)


def _infos(payload: Any) -> list[dict[str, Any]]:
    infos = payload["ConnectorStatusInfo"]
    return infos if isinstance(infos, list) else [infos]
