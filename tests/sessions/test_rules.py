"""Charge-order plausibility rules as pure functions: every threshold just inside and outside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.sessions.rules import check_charge_order
from app.sessions.schemas import ChargeDetail, ChargeOrderRecord

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=4)
HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


def order(
    *,
    duration: timedelta = HOUR,
    start: datetime = T0,
    energy_wh: int = 5000,
    details: list[ChargeDetail] | None = None,
    **extra: Any,
) -> ChargeOrderRecord:
    return ChargeOrderRecord(
        operator_id="MA002TMQX",
        start_charge_seq="MA002TMQX000000000000000001",
        connector_id="C1",
        start_at=start,
        end_at=start + duration,
        energy_wh=energy_wh,
        details=details or [],
        **extra,
    )


def detail(start: timedelta, end: timedelta, energy_wh: int, **extra: Any) -> ChargeDetail:
    return ChargeDetail(start=T0 + start, end=T0 + end, energy_wh=energy_wh, **extra)


def check(record: ChargeOrderRecord, power_kw: float = 7.0, now: datetime = NOW) -> str | None:
    return check_charge_order(record, connector_power_kw=power_kw, now=now)


def test_a_plausible_order_passes() -> None:
    halves = [detail(timedelta(0), HOUR / 2, 2500), detail(HOUR / 2, HOUR, 2500)]
    assert check(order(details=halves, total_money_fen=500, stop_reason=0)) is None


class TestTimes:
    def test_end_before_start_is_refused(self) -> None:
        assert check(order(duration=-SECOND, energy_wh=0)) == "end before start"

    def test_zero_duration_without_energy_passes(self) -> None:
        # A start that failed: operators still send the order, with nothing delivered.
        assert check(order(duration=timedelta(0), energy_wh=0)) is None

    def test_zero_duration_with_energy_is_refused(self) -> None:
        reason = check(order(duration=timedelta(0), energy_wh=1))
        assert reason == "energy delivered in a session of zero duration"

    def test_end_up_to_ten_minutes_ahead_passes(self) -> None:
        late_end = order(start=NOW - HOUR, duration=HOUR + timedelta(minutes=10))
        assert check(late_end) is None

    def test_end_more_than_ten_minutes_ahead_is_refused(self) -> None:
        future_end = order(start=NOW - HOUR, duration=HOUR + timedelta(minutes=10) + SECOND)
        assert check(future_end) == "end in the future"

    def test_start_more_than_ten_minutes_ahead_is_refused(self) -> None:
        start = NOW + timedelta(minutes=10)
        assert check(order(start=start, duration=timedelta(0), energy_wh=0)) is None
        assert check(order(start=start + SECOND, duration=SECOND)) == "start in the future"

    def test_seventy_two_hours_pass(self) -> None:
        assert check(order(duration=timedelta(hours=72))) is None

    def test_longer_than_seventy_two_hours_is_refused(self) -> None:
        reason = check(order(duration=timedelta(hours=72) + SECOND))
        assert reason == "session longer than 72 h"


class TestAmounts:
    def test_zero_energy_and_money_pass(self) -> None:
        free = order(energy_wh=0, elec_money_fen=0, service_money_fen=0, total_money_fen=0)
        assert check(free) is None

    def test_negative_energy_is_refused(self) -> None:
        assert check(order(energy_wh=-1)) == "negative energy"

    @pytest.mark.parametrize("field", ["elec_money_fen", "service_money_fen", "total_money_fen"])
    def test_negative_money_is_refused(self, field: str) -> None:
        negative: dict[str, Any] = {field: -1}
        assert check(order(**negative)) == "negative money"

    def test_negative_energy_in_details_is_refused(self) -> None:
        periods = [detail(timedelta(0), HOUR / 2, 5001), detail(HOUR / 2, HOUR, -1)]
        assert check(order(details=periods)) == "negative energy in charge details"

    @pytest.mark.parametrize(
        "field", ["elec_price", "service_price", "elec_money_fen", "service_money_fen"]
    )
    def test_negative_money_in_details_is_refused(self, field: str) -> None:
        periods = [detail(timedelta(0), HOUR, 5000, **{field: -1})]
        assert check(order(details=periods)) == "negative money in charge details"


class TestPlausibleEnergy:
    # 7 kW for an hour, +10 %, +0.5 kWh: 8 200 Wh.
    def test_energy_at_the_cap_passes(self) -> None:
        assert check(order(energy_wh=8200)) is None

    def test_energy_above_the_cap_is_refused(self) -> None:
        reason = check(order(energy_wh=8201))
        assert reason is not None
        assert reason.startswith("energy 8201 Wh above")

    def test_short_sessions_get_the_absolute_allowance(self) -> None:
        # One minute at 7 kW: 116.7 Wh, +10 % = 128.3 Wh, +500 Wh = 628.3 Wh.
        minute = timedelta(minutes=1)
        assert check(order(duration=minute, energy_wh=628)) is None
        assert check(order(duration=minute, energy_wh=629)) is not None

    def test_the_cap_follows_the_connector_power(self) -> None:
        # 60 kW DC for an hour: 66 000 + 500 Wh.
        assert check(order(energy_wh=66500), power_kw=60.0) is None
        assert check(order(energy_wh=66501), power_kw=60.0) is not None

    def test_unknown_power_falls_back_to_the_strongest_public_charger(self) -> None:
        # 600 kW for an hour: 660 000 + 500 Wh; a kWh sent as Wh x 1000 still fails.
        assert check(order(energy_wh=660_500), power_kw=0.0) is None
        assert check(order(energy_wh=660_501), power_kw=0.0) is not None


class TestDetails:
    def test_periods_covering_exactly_the_session_pass(self) -> None:
        periods = [detail(timedelta(0), HOUR / 2, 2500), detail(HOUR / 2, HOUR, 2500)]
        assert check(order(details=periods)) is None

    def test_periods_in_any_order_pass(self) -> None:
        periods = [detail(HOUR / 2, HOUR, 2500), detail(timedelta(0), HOUR / 2, 2500)]
        assert check(order(details=periods)) is None

    def test_a_period_starting_before_the_session_is_refused(self) -> None:
        periods = [detail(-SECOND, HOUR, 5000)]
        assert check(order(details=periods)) == "charge detail period outside the session"

    def test_a_period_ending_after_the_session_is_refused(self) -> None:
        periods = [detail(timedelta(0), HOUR + SECOND, 5000)]
        assert check(order(details=periods)) == "charge detail period outside the session"

    def test_a_period_ending_before_it_starts_is_refused(self) -> None:
        periods = [detail(HOUR / 2, HOUR / 2 - SECOND, 5000)]
        assert check(order(details=periods)) == "charge detail period ends before it starts"

    def test_overlapping_periods_are_refused(self) -> None:
        periods = [detail(timedelta(0), HOUR / 2 + SECOND, 2500), detail(HOUR / 2, HOUR, 2500)]
        assert check(order(details=periods)) == "charge detail periods overlap"

    @pytest.mark.parametrize("detail_sum", [9890, 10110])
    def test_a_sum_within_one_percent_plus_ten_wh_passes(self, detail_sum: int) -> None:
        # Two hours so that 10 kWh is plausible on 7 kW; 1 % of 10 000 Wh + 10 Wh = 110 Wh.
        periods = [detail(timedelta(0), HOUR, 5000), detail(HOUR, 2 * HOUR, detail_sum - 5000)]
        assert check(order(duration=2 * HOUR, energy_wh=10000, details=periods)) is None

    @pytest.mark.parametrize("detail_sum", [9889, 10111])
    def test_a_sum_further_off_is_refused(self, detail_sum: int) -> None:
        periods = [detail(timedelta(0), HOUR, 5000), detail(HOUR, 2 * HOUR, detail_sum - 5000)]
        reason = check(order(duration=2 * HOUR, energy_wh=10000, details=periods))
        assert reason == f"charge details sum to {detail_sum} Wh, the order says 10000 Wh"

    def test_the_ten_wh_allowance_applies_to_an_empty_session(self) -> None:
        assert check(order(energy_wh=0, details=[detail(timedelta(0), HOUR, 10)])) is None
        assert check(order(energy_wh=0, details=[detail(timedelta(0), HOUR, 11)])) is not None
