"""The fleet model: deterministic, the report's energy, plausible sessions, valid statuses."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from app.core.time import LOCAL_TZ
from app.ingest import mapper
from app.sessions.rules import check_charge_order
from app.simulator.fleet import (
    AVAILABLE,
    CHARGING,
    FAULTED,
    OCCUPIED,
    OFFLINE,
    Event,
    FleetModel,
    OrderFinished,
    StatusChange,
)
from app.simulator.orders import ChargeOrder
from app.tcec.wire import ChargeOrderInfo, parse_wire
from tests.simulator.conftest import REPORT_END, SEED, Catalogue

REPORT_KWH = {"新泾三村": 2603, "新泾五村": 1164, "天蒲小区": 653}
RATED_KW = 7.0

# Every change a connector can make (blips can end on whatever is underneath).
TRANSITIONS = {
    (AVAILABLE, OCCUPIED),  # plugged in
    (OCCUPIED, CHARGING),  # authorised, or the valley timer fired
    (CHARGING, OCCUPIED),  # full or stopped, still plugged in
    (OCCUPIED, AVAILABLE),  # unplugged
    (AVAILABLE, FAULTED),
    (FAULTED, AVAILABLE),  # repaired
    *{(s, OFFLINE) for s in (AVAILABLE, OCCUPIED, CHARGING)},
    *{(OFFLINE, s) for s in (AVAILABLE, OCCUPIED, CHARGING, FAULTED)},
}


def week_of_events(
    catalogue: Catalogue, seed: int = SEED
) -> tuple[FleetModel, dict[str, int], list[Event]]:
    """A simulated week from REPORT_END: the model, the statuses it began with, the events."""
    model = FleetModel(seed=seed, catalogue=catalogue)
    model.start(REPORT_END)
    initial = {s.connector_id: s.status for s in model.statuses()}
    return model, initial, model.step(REPORT_END + timedelta(days=7))


class TestDeterminism:
    def test_same_seed_same_history_and_future(
        self, catalogue: Catalogue, backfilled: tuple[FleetModel, list[ChargeOrder]]
    ) -> None:
        model, orders = backfilled
        again = FleetModel(seed=SEED, catalogue=catalogue)
        assert again.backfill(days=30, end=REPORT_END) == orders
        assert again.statuses() == model.statuses()
        first = FleetModel(seed=SEED, catalogue=catalogue)
        second = FleetModel(seed=SEED, catalogue=catalogue)
        first.start(REPORT_END)
        second.start(REPORT_END)
        assert first.step(REPORT_END + timedelta(days=2)) == second.step(
            REPORT_END + timedelta(days=2)
        )

    def test_another_seed_another_history(
        self, catalogue: Catalogue, backfilled: tuple[FleetModel, list[ChargeOrder]]
    ) -> None:
        other = FleetModel(seed=SEED + 1, catalogue=catalogue)
        assert other.backfill(days=30, end=REPORT_END) != backfilled[1]

    def test_events_do_not_depend_on_how_often_the_model_steps(self, catalogue: Catalogue) -> None:
        coarse = FleetModel(seed=SEED, catalogue=catalogue)
        fine = FleetModel(seed=SEED, catalogue=catalogue)
        coarse.start(REPORT_END)
        fine.start(REPORT_END)
        at_once = coarse.step(REPORT_END + timedelta(days=2))
        stepped: list[Event] = []
        for minutes in range(17, 2 * 24 * 60, 17):
            stepped += fine.step(REPORT_END + timedelta(minutes=minutes))
        stepped += fine.step(REPORT_END + timedelta(days=2))
        assert stepped == at_once
        assert coarse.statuses() == fine.statuses()

    def test_a_model_starts_once(self, catalogue: Catalogue) -> None:
        model = FleetModel(seed=SEED, catalogue=catalogue)
        with pytest.raises(RuntimeError):
            model.statuses()
        model.start(REPORT_END)
        with pytest.raises(RuntimeError):
            model.backfill(days=1, end=REPORT_END)


class TestBackfillEnergy:
    def test_each_community_charges_its_month(
        self, catalogue: Catalogue, backfilled: tuple[FleetModel, list[ChargeOrder]]
    ) -> None:
        _, orders = backfilled
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for order in orders:
            totals[order.community_code] += order.energy_kwh
        for community, _station in catalogue:
            target = Decimal(community.monthly_kwh)
            assert abs(totals[community.code] - target) <= target / 100, community.name
            assert totals[community.code] == target  # exact to the cent, in fact
        by_name = {c.name: totals[c.code] for c, _ in catalogue}
        assert {name: by_name[name] for name in REPORT_KWH} == {
            name: Decimal(kwh) for name, kwh in REPORT_KWH.items()
        }
        for community, _station in catalogue:
            if community.synthetic:
                assert community.monthly_kwh == community.piles * 180

    def test_orders_lie_within_the_thirty_days(
        self, backfilled: tuple[FleetModel, list[ChargeOrder]]
    ) -> None:
        _, orders = backfilled
        begin = REPORT_END - timedelta(days=30)
        assert orders
        assert all(begin <= o.start < o.end <= REPORT_END for o in orders)
        assert [o.end for o in orders] == sorted(o.end for o in orders)

    def test_other_window_lengths_are_pro_rata(self, catalogue: Catalogue) -> None:
        model = FleetModel(seed=SEED, catalogue=catalogue)
        orders = model.backfill(days=7, end=REPORT_END)
        xinjing3 = next(c for c, _ in catalogue if c.name == "新泾三村")
        total = sum((o.energy_kwh for o in orders if o.community_code == xinjing3.code), Decimal())
        assert total == (Decimal(2603) * 7 / 30).quantize(Decimal("0.01"))

    def test_live_orders_after_a_backfill_only_count_what_comes_after(
        self, catalogue: Catalogue
    ) -> None:
        model = FleetModel(seed=SEED, catalogue=catalogue)
        model.backfill(days=3, end=REPORT_END)
        later = [
            e.order
            for e in model.step(REPORT_END + timedelta(days=1))
            if isinstance(e, OrderFinished)
        ]
        assert later
        assert all(order.start >= REPORT_END for order in later)


class TestSessions:
    def test_every_order_is_plausible(
        self, backfilled: tuple[FleetModel, list[ChargeOrder]]
    ) -> None:
        _, orders = backfilled
        for order in orders:
            hours = (order.end - order.start).total_seconds() / 3600
            assert order.end > order.start
            assert order.energy_kwh > 0
            assert float(order.energy_kwh) <= RATED_KW * hours * 1.1
            assert hours <= 16
            assert order.start.tzinfo == LOCAL_TZ

    def test_details_cover_the_session_and_split_at_22_and_6(
        self, backfilled: tuple[FleetModel, list[ChargeOrder]]
    ) -> None:
        model, orders = backfilled
        split = 0
        for order in orders:
            details = order.details
            assert details[0].start == order.start
            assert details[-1].end == order.end
            assert sum((d.energy_kwh for d in details), Decimal()) == order.energy_kwh
            for before, after in zip(details, details[1:], strict=False):
                assert before.end == after.start
                assert after.start.astimezone(LOCAL_TZ).strftime("%H:%M:%S") in {
                    "22:00:00",
                    "06:00:00",
                }
                split += 1
            for detail in details:
                assert order.start <= detail.start < detail.end <= order.end
                period = model.tariff.period_at(detail.start)
                last_second = detail.end - timedelta(seconds=1)
                assert model.tariff.period_at(last_second) == period  # one period each
                assert detail.period == period.name
                assert (
                    detail.elec_price
                    == {"peak": Decimal("0.617"), "valley": Decimal("0.307")}[period.name]
                )
        assert split > 50  # overnight sessions cross 22:00 and 06:00 often

    def test_money_follows_energy(self, backfilled: tuple[FleetModel, list[ChargeOrder]]) -> None:
        _, orders = backfilled
        cent = Decimal("0.01")
        for order in orders:
            for d in order.details:
                assert d.elec_money == (d.energy_kwh * d.elec_price).quantize(cent)
                assert d.service_money == (d.energy_kwh * Decimal("0.8")).quantize(cent)
            assert order.elec_money == sum((d.elec_money for d in order.details), Decimal())
            assert order.service_money == sum((d.service_money for d in order.details), Decimal())
            assert order.total_money == order.elec_money + order.service_money
            # between the valley and the peak price, plus the service fee
            low, high = Decimal("1.107"), Decimal("1.417")
            assert low * order.energy_kwh - cent * 4 <= order.total_money
            assert order.total_money <= high * order.energy_kwh + cent * 4

    def test_start_charge_seqs(self, backfilled: tuple[FleetModel, list[ChargeOrder]]) -> None:
        _, orders = backfilled
        seqs = [o.start_charge_seq for o in orders]
        assert len(set(seqs)) == len(seqs)
        for order in orders:
            seq = order.start_charge_seq
            assert len(seq) == 27
            assert seq.startswith("MA002TMQX")
            assert seq[9:].isdigit()
            assert seq[9:23] == order.start.strftime("%Y%m%d%H%M%S")

    def test_the_hub_would_accept_every_order(
        self, backfilled: tuple[FleetModel, list[ChargeOrder]]
    ) -> None:
        _, orders = backfilled
        received = REPORT_END + timedelta(minutes=1)
        for order in orders:
            wire = parse_wire(ChargeOrderInfo, order.wire_payload())
            record = mapper.charge_order_record(wire, operator_id="MA002TMQX", received_at=received)
            assert check_charge_order(record, connector_power_kw=RATED_KW, now=received) is None
            assert wire.start_time.strftime("%H:%M:%S") == order.start.strftime("%H:%M:%S")

    def test_evening_peak_and_valley_charging(
        self, backfilled: tuple[FleetModel, list[ChargeOrder]]
    ) -> None:
        _, orders = backfilled
        evening = [o for o in orders if 17 <= o.start.hour or o.start.hour < 1]
        assert len(evening) > len(orders) / 2
        valley = sum(
            (d.energy_kwh for o in orders for d in o.details if d.period == "valley"), Decimal()
        )
        assert valley > sum((o.energy_kwh for o in orders), Decimal()) / 3


class TestStatuses:
    def test_sequences_are_valid(self, catalogue: Catalogue) -> None:
        model, initial, events = week_of_events(catalogue)
        current = dict(initial)
        seen: set[tuple[int, int]] = set()
        for event in events:
            if isinstance(event, StatusChange):
                assert event.previous == current[event.connector_id]
                assert (event.previous, event.status) in TRANSITIONS
                seen.add((event.previous, event.status))
                current[event.connector_id] = event.status
        assert current == {s.connector_id: s.status for s in model.statuses()}
        assert {(1, 2), (2, 3), (3, 2), (2, 1), (1, 255), (255, 1), (1, 0), (0, 1)} <= seen

    def test_an_order_closes_when_charging_stops(self, catalogue: Catalogue) -> None:
        _, _, events = week_of_events(catalogue)
        stops = {
            (e.connector_id, e.at)
            for e in events
            if isinstance(e, StatusChange) and e.previous == CHARGING and e.status == OCCUPIED
        }
        orders = [e for e in events if isinstance(e, OrderFinished)]
        assert orders
        for event in orders:
            assert event.at == event.order.end
        # an offline blip may hide the change itself, never more than a few
        hidden = sum((e.order.connector_id, e.at) not in stops for e in orders)
        assert hidden <= len(orders) // 20

    @pytest.mark.parametrize("seed", [SEED, 1, 7])
    def test_faults_longer_than_a_day_happen_every_week(
        self, catalogue: Catalogue, seed: int
    ) -> None:
        _, _, events = week_of_events(catalogue, seed)
        started: dict[str, datetime] = {}
        durations: list[timedelta] = []
        for event in events:
            if not isinstance(event, StatusChange):
                continue
            if event.status == FAULTED:
                started[event.connector_id] = event.at
            elif event.previous == FAULTED and event.status == AVAILABLE:
                durations.append(event.at - started.pop(event.connector_id, REPORT_END))
        still_open = [REPORT_END + timedelta(days=7) - at for at in started.values()]
        assert any(d > timedelta(hours=24) for d in durations + still_open)
        assert any(d < timedelta(hours=24) for d in durations)  # most are repaired sooner

    def test_offline_blips_stay_under_the_hubs_grace(self, catalogue: Catalogue) -> None:
        _, _, events = week_of_events(catalogue)
        went: dict[str, datetime] = {}
        blips: list[timedelta] = []
        for event in events:
            if isinstance(event, StatusChange) and event.status == OFFLINE:
                went[event.connector_id] = event.at
            elif isinstance(event, StatusChange) and event.previous == OFFLINE:
                blips.append(event.at - went.pop(event.connector_id))
        assert blips
        assert all(timedelta(minutes=1) <= b <= timedelta(minutes=6) for b in blips)


class TestStatusHistory:
    def test_the_window_from_its_start_to_the_current_statuses(
        self, catalogue: Catalogue, backfilled: tuple[FleetModel, list[ChargeOrder]]
    ) -> None:
        model, _ = backfilled
        begin = REPORT_END - timedelta(days=30)
        history = model.status_history()
        assert [s.since for s in history] == sorted(s.since for s in history)
        assert all(s.since <= REPORT_END for s in history)
        by_connector: dict[str, list[int]] = defaultdict(list)
        for status in history:
            if status.connector_id not in by_connector:
                assert status.since <= begin  # its status at the window's start
            else:
                assert begin < status.since
            by_connector[status.connector_id].append(status.status)
        assert {s.connector_id: s.status for s in history} == {
            s.connector_id: s.status for s in model.statuses()
        }  # each connector's last entry is where the live simulation goes on from
        for statuses in by_connector.values():
            for before, after in zip(statuses, statuses[1:], strict=False):
                assert (before, after) in TRANSITIONS
        # every session, fault and blip of the window is in it, not only its end state
        assert len(history) > 4 * len(backfilled[1])
        again = FleetModel(seed=SEED, catalogue=catalogue)
        again.backfill(days=30, end=REPORT_END)
        assert again.status_history() == history

    def test_a_live_start_has_only_the_statuses_at_its_start(self, catalogue: Catalogue) -> None:
        model = FleetModel(seed=SEED, catalogue=catalogue)
        model.start(REPORT_END)
        assert model.status_history() == sorted(model.statuses(), key=lambda s: s.since)
        with pytest.raises(RuntimeError):
            FleetModel(seed=SEED, catalogue=catalogue).status_history()
