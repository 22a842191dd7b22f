"""The demo's liveliness: a history that ends with every colour on Beixinjing's board, and
live quick faults and outages that change a colour every minute or two.

Colours are judged with the hub's own pure rules (`app/status/colour.py`) on what the
simulator sends, sampled every simulated minute, as the hub's sweep would see them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from app.core.config import ColourRules
from app.models.states import Colour, ConnectorState
from app.simulator.behaviour import DEMO_LIVELINESS, Liveliness
from app.simulator.fleet import FAULTED, ConnectorStatus, FleetModel, StatusChange
from app.simulator.orders import ChargeOrder
from app.status.codes import state_for_tcec_code
from app.status.colour import ConnectorView, connector_colour, repeated_since
from tests.simulator.conftest import REPORT_END, SEED, Catalogue

BEIXINJING = "310105011"
RULES = ColourRules()


class Board:
    """Beixinjing's piles (one connector each) as the hub's colour rules see them."""

    def __init__(self, model: FleetModel, history: Iterable[ConnectorStatus]) -> None:
        self.piles = {
            s.connector_id for s in model.specs if s.community_code.startswith(BEIXINJING)
        }
        self.state: dict[str, tuple[ConnectorState, datetime]] = {}
        self.faults: dict[str, list[datetime]] = {c: [] for c in self.piles}
        for status in history:
            self.apply(status.connector_id, status.status, status.since)

    def apply(self, connector_id: str, status: int, at: datetime) -> None:
        if connector_id not in self.piles:
            return
        state = state_for_tcec_code(status)
        assert state is not None
        self.state[connector_id] = (state, at)
        if status == FAULTED:
            self.faults[connector_id].append(at)

    def colours(self, now: datetime) -> dict[str, Colour]:
        return {
            cid: connector_colour(
                ConnectorView(state, since),
                now=now,
                repeated_since=repeated_since(self.faults[cid], now=now, rules=RULES),
                rules=RULES,
            ).colour
            for cid, (state, since) in self.state.items()
        }


def lively(catalogue: Catalogue, liveliness: Liveliness | None = DEMO_LIVELINESS) -> FleetModel:
    # A recent epoch spares the fast-forward from 2022 (the streams differ, not the rules).
    return FleetModel(
        seed=SEED,
        catalogue=catalogue,
        liveliness=liveliness,
        epoch=REPORT_END - timedelta(days=40),
    )


def watch(model: FleetModel, board: Board, hours: float) -> tuple[list[int], list[int]]:
    """Colour changes and piles not green, per simulated minute, over `hours` of live time."""
    start = model.now
    previous = board.colours(start)
    changes, not_green = [], []
    for minute in range(1, round(hours * 60) + 1):
        now = start + timedelta(minutes=minute)
        for event in model.step(now):
            if isinstance(event, StatusChange):
                board.apply(event.connector_id, event.status, event.at)
        colours = board.colours(now)
        changes.append(sum(colours[c] != previous[c] for c in colours))
        not_green.append(sum(colour is not Colour.GREEN for colour in colours.values()))
        previous = colours
    return changes, not_green


def test_the_backfilled_history_ends_with_every_colour(catalogue: Catalogue) -> None:
    model = lively(catalogue)
    model.backfill(days=30, end=REPORT_END)
    board = Board(model, model.status_history())
    colours = board.colours(REPORT_END)
    assert len(colours) == 17
    counts = Counter(colours.values())
    assert counts[Colour.GREEN] >= 10, counts
    assert counts[Colour.YELLOW] >= 1, counts
    assert counts[Colour.RED] >= 1, counts
    # The staged red pile is red as soon as its third fault of the week is reported, so the
    # hub shows it without waiting for its sweep; that fault is also open longer than 24 h.
    red = [cid for cid, colour in colours.items() if colour is Colour.RED]
    staged = [c for c in red if len(board.faults[c]) >= 3]
    assert staged, red
    state, since = board.state[staged[0]]
    assert state is ConnectorState.FAULTED
    assert REPORT_END - since > RULES.red_after_fault
    assert board.colours(since)[staged[0]] is Colour.RED


def test_liveliness_leaves_the_rest_of_the_history_alone(catalogue: Catalogue) -> None:
    quiet, busy = lively(catalogue, None), lively(catalogue)
    quiet_orders = quiet.backfill(days=30, end=REPORT_END)
    busy_orders = busy.backfill(days=30, end=REPORT_END)

    def by_connector(model: FleetModel) -> dict[str, list[ConnectorStatus]]:
        history: dict[str, list[ConnectorStatus]] = {}
        for status in model.status_history():
            history.setdefault(status.connector_id, []).append(status)
        return history

    before, after = by_connector(quiet), by_connector(busy)
    differ = [cid for cid in before if before[cid] != after[cid]]
    assert len(differ) == 2, differ  # the staged red and yellow piles only

    def energy(orders: Iterable[ChargeOrder]) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for order in orders:
            totals[order.community_code] = totals.get(order.community_code, 0) + order.energy_kwh
        return totals

    assert energy(quiet_orders) == energy(busy_orders)  # the report's month either way


def test_live_incidents_change_a_colour_every_minute_or_two(catalogue: Catalogue) -> None:
    model = lively(catalogue)
    model.backfill(days=8, end=REPORT_END)
    changes, not_green = watch(model, Board(model, model.status_history()), hours=6)
    per_minute = sum(changes) / len(changes)
    assert 0.5 <= per_minute <= 1.0, per_minute  # a mean gap of 60 to 120 s
    windows = [sum(changes[i : i + 10]) for i in range(0, len(changes), 10)]
    # Ten minutes watched: something changed in nearly all of them, never a storm.
    assert sum(w > 0 for w in windows) >= 0.9 * len(windows), windows
    assert max(windows) <= 20, windows
    # Repairs keep up: the board does not drift yellow or red (never half of it).
    assert max(not_green) < 17 / 2, not_green
    assert sum(not_green) / len(not_green) <= 5

    quiet = lively(catalogue, None)
    quiet.backfill(days=8, end=REPORT_END)
    calm, _ = watch(quiet, Board(quiet, quiet.status_history()), hours=6)
    assert sum(calm) < sum(changes) / 5  # what the demo did before: the board barely moved


def test_liveliness_is_deterministic_and_scales(catalogue: Catalogue) -> None:
    first, second = lively(catalogue), lively(catalogue)
    first.start(REPORT_END)
    second.start(REPORT_END)
    until = REPORT_END + timedelta(hours=3)
    assert first.step(until) == second.step(until)
    assert DEMO_LIVELINESS.scaled(0) is None
    doubled = DEMO_LIVELINESS.scaled(2)
    assert doubled is not None
    assert doubled.fault_mean_interval_hours == DEMO_LIVELINESS.fault_mean_interval_hours / 2
    with pytest.raises(ValueError, match="negative"):
        DEMO_LIVELINESS.scaled(-1)
