"""Time-of-use splitting and order arithmetic on hand-made sessions."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from app.catalogue.beixinjing import Facts
from app.core.time import LOCAL_TZ
from app.simulator.behaviour import Visit
from app.simulator.orders import ChargeOrder, OrderBook, build_order, share_out, start_charge_seq
from app.simulator.tariff import Tariff

TARIFF = Tariff.from_config(Facts.load().time_of_use_default)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2022, 2, day, hour, minute, tzinfo=LOCAL_TZ)


def visit(start: datetime, kwh: str, power: float = 7.0) -> Visit:
    return Visit(
        plug_in=start - timedelta(minutes=2),
        charge_start=start,
        departure=start + timedelta(hours=12),
        power_kw=power,
        energy_kwh=Decimal(kwh),
        full=True,
    )


def order_for(v: Visit, number: int = 1) -> ChargeOrder:
    return build_order(
        operator_id="MA002TMQX",
        connector_number=number,
        connector_id="310105MA002TMQX0001011",
        station_id="310105MA002TMQX0001",
        community_code="310105011001",
        visit=v,
        tariff=TARIFF,
    )


class TestTariff:
    def test_periods_come_from_the_facts_file(self) -> None:
        assert [(p.name, p.start.hour, p.elec_price) for p in TARIFF.periods] == [
            ("peak", 6, Decimal("0.617")),
            ("valley", 22, Decimal("0.307")),
        ]
        assert TARIFF.service_price == Decimal("0.8")

    def test_overnight_session_is_cut_at_22_and_6(self) -> None:
        segments = TARIFF.split(local(10, 20), local(11, 8))
        assert [(s.start.hour, s.end.hour, s.period.name) for s in segments] == [
            (20, 22, "peak"),
            (22, 6, "valley"),
            (6, 8, "peak"),
        ]

    def test_a_session_inside_one_period_is_one_segment(self) -> None:
        (segment,) = TARIFF.split(local(10, 23), local(11, 5, 59))
        assert segment.period.name == "valley"

    def test_a_session_starting_on_a_boundary(self) -> None:
        segments = TARIFF.split(local(10, 22), local(10, 23))
        assert [s.period.name for s in segments] == ["valley"]

    def test_empty_sessions_are_refused(self) -> None:
        with pytest.raises(ValueError, match="end after"):
            TARIFF.split(local(10, 22), local(10, 22))


class TestOrders:
    def test_share_out_is_exact(self) -> None:
        assert share_out(Decimal("10.00"), [1, 1, 1]) == [
            Decimal("3.34"),
            Decimal("3.33"),
            Decimal("3.33"),
        ]
        assert sum(share_out(Decimal("7.77"), [0.5, 2.25, 9])) == Decimal("7.77")

    def test_overnight_order(self) -> None:
        order = order_for(visit(local(10, 21), "14.00"))  # 21:00 → 23:00 at 7 kW
        assert order.end == local(10, 23)
        peak, valley = order.details
        assert (peak.energy_kwh, valley.energy_kwh) == (Decimal("7.00"), Decimal("7.00"))
        assert peak.elec_money == Decimal("4.32")  # 7 × 0.617 = 4.319
        assert valley.elec_money == Decimal("2.15")  # 7 × 0.307 = 2.149
        assert order.elec_money == Decimal("6.47")
        assert order.service_money == Decimal("11.20")
        assert order.total_money == Decimal("17.67")
        wire = order.wire_payload()
        assert wire["StartTime"] == "2022-02-10 21:00:00"
        assert wire["TotalSeviceMoney"] == 11.2
        assert wire["SumPeriod"] == 2
        assert wire["ChargeDetails"][1]["DetailStartTime"] == "2022-02-10 22:00:00"
        assert wire["StopReason"] == 2

    def test_energy_never_exceeds_power_times_time(self) -> None:
        order = order_for(visit(local(10, 9, 0), "3.31", power=3.3))
        hours = (order.end - order.start).total_seconds() / 3600
        assert 3.31 <= 3.3 * hours < 3.31 + 0.01

    def test_seq_is_operator_and_18_digits(self) -> None:
        seq = start_charge_seq("MA002TMQX", local(10, 21, 5), 12)
        assert seq == "MA002TMQX202202102105000012"
        assert len(seq) == 27
        with pytest.raises(ValueError, match="4 digits"):
            start_charge_seq("MA002TMQX", local(10, 21), 10_000)

    def test_the_book_counts_a_session_on_the_day_it_started(self) -> None:
        book = OrderBook()
        book.add([order_for(visit(local(10, 23), "7.00")), order_for(visit(local(11, 9), "2.50"))])
        connector = "310105MA002TMQX0001011"
        assert book.connector_energy(connector, local(10, 0).date(), local(10, 0).date()) == 7
        assert book.connector_energy(
            connector, local(11, 0).date(), local(11, 0).date()
        ) == Decimal("2.50")
        assert book.connector_energy(connector, local(1, 0).date(), local(28, 0).date()) == Decimal(
            "9.50"
        )
        assert len(book) == 2
