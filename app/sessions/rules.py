"""Plausibility rules for charge orders, as pure functions (no I/O).

Each check returns the reason an order is refused, or None. The service runs them before
anything is stored, so a refused order leaves no trace but its result. The thresholds are
module constants today; each is a candidate for a `Settings` section like `ColourRules`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app.sessions.schemas import ChargeDetail, ChargeOrderRecord

# Operator clocks drift and orders are stamped by the pile, not by NTP-synced servers; a few
# minutes ahead is clock skew, more than ten is a wrong clock or a wrong time zone (a +08:00
# local time sent as UTC lands eight hours in the future).
FUTURE_TOLERANCE = timedelta(minutes=10)

# The longest plausible stay on a shared community pile: a long weekend. Longer orders are
# stuck sessions that the operator forgot to close, and would smear energy over days.
MAX_SESSION_DURATION = timedelta(hours=72)

# Energy is capped at the connector's rated power over the session's duration. Meters and
# ratings disagree by a few percent, and T/CEC rounds both kWh and the times; 10 % covers it.
POWER_HEADROOM = 1.1

# Short sessions round badly (times are whole seconds, energy two decimals of kWh), so the cap
# gets an absolute allowance on top: half a kWh is a few minutes on a 7 kW AC pile.
ENERGY_ALLOWANCE_WH = 500

# When the registry does not know a connector's power (reported as 0), cap at the strongest
# public chargers in China (about 600 kW) so that kWh/Wh unit mix-ups are still caught.
FALLBACK_POWER_KW = 600.0

# ChargeDetails periods are rounded one by one (two decimals of kWh each), so their sum drifts
# from the order's total: 1 % of the total plus 10 Wh (a rounding step per period for a
# handful of tariff periods) is tolerated.
DETAIL_SUM_TOLERANCE_PERCENT = 1
DETAIL_SUM_TOLERANCE_WH = 10

_SECONDS_PER_HOUR = 3600


def check_charge_order(
    order: ChargeOrderRecord, *, connector_power_kw: float, now: datetime
) -> str | None:
    """The first reason to refuse the order, or None when it is plausible."""
    return (
        check_times(order, now=now)
        or check_amounts(order)
        or check_energy(order, connector_power_kw=connector_power_kw)
        or check_details(order)
    )


def check_times(order: ChargeOrderRecord, *, now: datetime) -> str | None:
    duration = order.end_at - order.start_at
    if duration < timedelta(0):
        return "end before start"
    if duration == timedelta(0) and order.energy_wh > 0:
        return "energy delivered in a session of zero duration"
    if order.start_at > now + FUTURE_TOLERANCE:
        return "start in the future"
    if order.end_at > now + FUTURE_TOLERANCE:
        return "end in the future"
    if duration > MAX_SESSION_DURATION:
        return f"session longer than {_hours(MAX_SESSION_DURATION)} h"
    return None


def check_amounts(order: ChargeOrderRecord) -> str | None:
    if order.energy_wh < 0:
        return "negative energy"
    money = (order.elec_money_fen, order.service_money_fen, order.total_money_fen)
    if any(amount is not None and amount < 0 for amount in money):
        return "negative money"
    for detail in order.details:
        if detail.energy_wh < 0:
            return "negative energy in charge details"
        prices = (detail.elec_price, detail.service_price)
        amounts = (detail.elec_money_fen, detail.service_money_fen)
        if any(value is not None and value < 0 for value in (*prices, *amounts)):
            return "negative money in charge details"
    return None


def max_plausible_energy_wh(duration: timedelta, connector_power_kw: float) -> float:
    """The most energy a connector can deliver in `duration`, with headroom and allowance."""
    power_kw = connector_power_kw if connector_power_kw > 0 else FALLBACK_POWER_KW
    hours = duration.total_seconds() / _SECONDS_PER_HOUR
    return power_kw * 1000 * hours * POWER_HEADROOM + ENERGY_ALLOWANCE_WH


def check_energy(order: ChargeOrderRecord, *, connector_power_kw: float) -> str | None:
    limit = max_plausible_energy_wh(order.end_at - order.start_at, connector_power_kw)
    if order.energy_wh > limit:
        return f"energy {order.energy_wh} Wh above the connector's plausible {limit:.0f} Wh"
    return None


def check_details(order: ChargeOrderRecord) -> str | None:
    if not order.details:
        return None
    periods = sorted(order.details, key=lambda detail: (detail.start, detail.end))
    previous: ChargeDetail | None = None
    for detail in periods:
        if detail.end < detail.start:
            return "charge detail period ends before it starts"
        if detail.start < order.start_at or detail.end > order.end_at:
            return "charge detail period outside the session"
        if previous is not None and detail.start < previous.end:
            return "charge detail periods overlap"
        previous = detail
    total = sum(detail.energy_wh for detail in order.details)
    # Integer form of |total - energy| > energy * 1 % + 10 Wh, exact for any size.
    gap = abs(total - order.energy_wh)
    allowed = order.energy_wh * DETAIL_SUM_TOLERANCE_PERCENT + DETAIL_SUM_TOLERANCE_WH * 100
    if gap * 100 > allowed:
        return f"charge details sum to {total} Wh, the order says {order.energy_wh} Wh"
    return None


def _hours(duration: timedelta) -> int:
    return int(duration.total_seconds() // _SECONDS_PER_HOUR)
