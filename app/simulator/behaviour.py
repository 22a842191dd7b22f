"""How residents use a shared community pile: arrivals, stays, charging, faults, blips.

Pure functions of a `random.Random`, so a seed replays the same fleet. Everything is synthetic
but shaped on what residential AC charging looks like:

* arrivals follow an hour-of-day profile with the evening peak 18–23 h (people come home),
  few arrivals overnight and some during the day;
* evening arrivals stay plugged in overnight and leave 06:30–09:00; part of them set the
  car's timer for the 22:00 valley (天蒲小区 more than others: the report says the street
  guides owners to charge off-peak there), so the connector is occupied before it charges;
* daytime arrivals stay 1.5–6 h;
* the car draws 6.2–7 kW from a 7 kW pile, or 3.3 kW (older plug-in hybrids), until the
  battery is full or the driver leaves, so energy never exceeds power × time;
* faults (code 255) wait for a repair: mostly hours, about a third 26–72 h (waiting for a
  part), which the hub's board shows red after 24 h; offline blips (code 0) last 1–6 min,
  under the hub's 10-minute grace.

Live, after the history, `Liveliness` adds incidents so a board of a few dozen piles keeps
moving (README, "The State Grid simulator"): quick faults repaired within minutes (only while
the connector is idle: a fault ends no session) and link outages longer than the hub's grace.
They come from their own random streams (`live_faults`, `outages`), so the history before
the live start is the same with or without them.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from decimal import Decimal

from app.core.time import LOCAL_TZ

# Relative arrival weight for each local hour 0–23.
ARRIVAL_WEIGHTS: tuple[float, ...] = (
    0.15, 0.10, 0.05, 0.05, 0.05, 0.10, 0.25, 0.35, 0.40, 0.40, 0.40, 0.45,
    0.50, 0.45, 0.45, 0.50, 0.60, 1.00, 2.00, 2.60, 2.60, 2.20, 1.60, 0.80,
)  # fmt: skip

# Communities whose street steers owners to the valley (beixinjing.yaml, 天蒲小区's note).
GUIDED_OFF_PEAK = frozenset({"天蒲小区"})

_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Behaviour:
    """The knobs, with the demo's values."""

    # Mean delivered energy of a visit under this behaviour, measured over long runs (see
    # tests); arrival rates are set from it so the generated month lands near the target.
    mean_session_kwh: float = 15.5
    mean_stay_days: float = 0.3  # how long a car keeps the connector, on average
    valley_start: time = time(22, 0)  # what car timers aim at
    timer_share: float = 0.3  # evening arrivals that wait for the valley
    guided_timer_share: float = 0.65
    slow_car_share: float = 0.12  # 3.3 kW on-board chargers
    slow_car_kw: float = 3.3
    fast_car_kw: tuple[float, float] = (6.2, 7.0)
    fault_mean_interval_days: float = 20.0
    long_fault_share: float = 0.35
    long_fault_hours: tuple[float, float] = (26.0, 72.0)
    short_fault_hours: tuple[float, float] = (0.5, 12.0)
    blip_mean_interval_days: float = 4.0
    blip_seconds: tuple[int, int] = (60, 360)
    # Stop charging this long before the car leaves at the latest (the driver unplugs a
    # finished car), so each session ends charging → occupied → available.
    unplug_margin: timedelta = timedelta(minutes=2)
    max_session_kwh: float = 60.0  # a large battery; caps scaling in the backfill


DEFAULT_BEHAVIOUR = Behaviour()


@dataclass(frozen=True, slots=True)
class Liveliness:
    """What the live simulation adds to `Behaviour` so a watched board keeps changing.

    The defaults give each connector a quick fault about every 2 h of idle time and a link
    outage every 3 h: on Beixinjing's 17 piles a colour change every minute or two, with
    about one pile in ten yellow or red at a time (tests/simulator/test_liveliness.py).
    """

    fault_mean_interval_hours: float = 0.8  # per connector, counted while it is idle
    fault_minutes: tuple[float, float] = (3.0, 12.0)  # until the repair
    # Outages (code 0) outlast the hub's 10-minute offline grace, so they show yellow.
    outage_mean_interval_hours: float = 1.2
    outage_minutes: tuple[float, float] = (12.0, 20.0)

    def scaled(self, factor: float) -> Liveliness | None:
        """Incidents `factor` times as often (the CLI's --liveliness); None for 0: quiet."""
        if factor < 0:
            raise ValueError("liveliness must not be negative")
        if factor == 0:
            return None
        return replace(
            self,
            fault_mean_interval_hours=self.fault_mean_interval_hours / factor,
            outage_mean_interval_hours=self.outage_mean_interval_hours / factor,
        )


DEMO_LIVELINESS = Liveliness()


@dataclass(frozen=True, slots=True)
class Visit:
    """A car plugged in: occupied from `plug_in`, charging `charge_start`–`charge_end`,
    gone at `departure`. Times are aware UTC, whole seconds."""

    plug_in: datetime
    charge_start: datetime
    departure: datetime
    power_kw: float  # what the car draws, ≤ the connector's rating
    energy_kwh: Decimal  # delivered, 2 dp
    full: bool  # stopped by the battery (BMS) rather than by the driver

    @property
    def charge_end(self) -> datetime:
        return self.charge_start + charge_duration(self.energy_kwh, self.power_kw)

    def capacity_kwh(self, until: datetime, behaviour: Behaviour = DEFAULT_BEHAVIOUR) -> float:
        """The most this visit could deliver charging until `until` (or its departure)."""
        stop = min(self.departure, until) - behaviour.unplug_margin
        hours = max(0.0, (stop - self.charge_start).total_seconds() / _HOUR)
        return min(self.power_kw * hours, behaviour.max_session_kwh)

    def with_energy(self, energy_kwh: Decimal, *, full: bool) -> Visit:
        return replace(self, energy_kwh=energy_kwh, full=full)

    def starting_at(self, moment: datetime) -> Visit:
        """The part of a session from `moment` on (constant power), for a history cut."""
        if moment <= self.charge_start:
            return self
        charged = Decimal(self.power_kw * (moment - self.charge_start).total_seconds() / _HOUR)
        rest = max(Decimal("0.01"), (self.energy_kwh - charged).quantize(Decimal("0.01")))
        return replace(self, charge_start=moment, energy_kwh=rest)


@dataclass(frozen=True, slots=True)
class Fault:
    start: datetime
    end: datetime  # repaired


@dataclass(frozen=True, slots=True)
class Blip:
    """The pile's link drops: the platform sees it offline for a few minutes."""

    start: datetime
    end: datetime


Episode = Visit | Fault


def charge_duration(energy_kwh: Decimal, power_kw: float) -> timedelta:
    """Whole seconds, rounded up, so energy ≤ power × duration always holds."""
    return timedelta(seconds=math.ceil(float(energy_kwh) / power_kw * _HOUR))


def _seconds(hours: float) -> timedelta:
    return timedelta(seconds=max(1, round(hours * _HOUR)))


def _local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def next_arrival(rng: random.Random, after: datetime, daily_rate: float) -> datetime | None:
    """The next arrival of a Poisson process whose hourly rate follows ARRIVAL_WEIGHTS
    (thinning: candidates at the peak rate, kept in proportion to the hour's weight)."""
    if daily_rate <= 0:
        return None
    peak = max(ARRIVAL_WEIGHTS)
    peak_rate_per_hour = daily_rate * peak / sum(ARRIVAL_WEIGHTS)
    moment = after
    while True:
        moment += _seconds(rng.expovariate(peak_rate_per_hour))
        if rng.random() * peak < ARRIVAL_WEIGHTS[_local(moment).hour]:
            return moment


def plan_visit(
    rng: random.Random,
    arrival: datetime,
    *,
    rated_kw: float,
    guided: bool,
    behaviour: Behaviour = DEFAULT_BEHAVIOUR,
) -> Visit:
    """Stay, timer, car power and energy of a car that plugs in at `arrival`."""
    local = _local(arrival)
    evening = local.hour >= 17 or local.hour < 5
    charge_start = arrival + timedelta(seconds=rng.randint(30, 180))  # scan, authorise
    if evening:
        leave_day = local.date() + timedelta(days=1 if local.hour >= 17 else 0)
        departure = datetime.combine(leave_day, time(6, 30), tzinfo=LOCAL_TZ) + timedelta(
            seconds=rng.randint(0, 150 * 60)
        )
        wanted = min(max(rng.gauss(18.0, 7.0), 4.0), 45.0)
        share = behaviour.guided_timer_share if guided else behaviour.timer_share
        valley = datetime.combine(local.date(), behaviour.valley_start, tzinfo=LOCAL_TZ)
        if local.hour >= 17 and local < valley and rng.random() < share:
            charge_start = valley + timedelta(seconds=rng.randint(0, 20 * 60))
    else:
        departure = arrival + _seconds(rng.uniform(1.5, 6.0))
        wanted = min(max(rng.gauss(10.0, 4.0), 2.0), 30.0)
    if rng.random() < behaviour.slow_car_share:
        power = behaviour.slow_car_kw
    else:
        power = round(rng.uniform(*behaviour.fast_car_kw), 2)
    power = min(power, rated_kw)
    draft = Visit(
        arrival, charge_start, departure.astimezone(arrival.tzinfo), power, Decimal(0), True
    )
    possible = draft.capacity_kwh(draft.departure, behaviour)
    energy = Decimal(str(round(min(wanted, possible), 2)))
    return draft.with_energy(max(energy, Decimal("0.01")), full=wanted <= possible)


def fault_duration(rng: random.Random, behaviour: Behaviour = DEFAULT_BEHAVIOUR) -> timedelta:
    if rng.random() < behaviour.long_fault_share:
        return _seconds(rng.uniform(*behaviour.long_fault_hours))
    return _seconds(rng.uniform(*behaviour.short_fault_hours))


def episodes(
    rng: random.Random,
    start: datetime,
    *,
    daily_rate: float,
    rated_kw: float,
    guided: bool,
    behaviour: Behaviour = DEFAULT_BEHAVIOUR,
    extra_faults: Iterator[Fault] | None = None,
) -> Iterator[Episode]:
    """One connector's visits and faults from `start` on, in order, never overlapping.

    While idle, the next car and the next fault compete (both memoryless); a fault keeps the
    connector out of use until it is repaired. `extra_faults` (`live_faults`) are candidate
    faults in time order: one happens if it comes while the connector is idle and before the
    next car or fault; those that fall while it is busy are lost (a Poisson stream of idle
    time, as the natural faults are).
    """
    moment = start
    fault_rate = 1.0 / (behaviour.fault_mean_interval_days * 24.0)
    extra: Fault | None = next(extra_faults) if extra_faults is not None else None
    while True:
        fault_at = moment + _seconds(rng.expovariate(fault_rate))
        arrival = next_arrival(rng, moment, daily_rate)
        while extra is not None and extra_faults is not None and extra.start < moment:
            extra = next(extra_faults)
        first = min(fault_at, arrival) if arrival is not None else fault_at
        if extra is not None and extra_faults is not None and extra.start < first:
            yield extra
            moment = extra.end
            extra = next(extra_faults)
        elif arrival is None or fault_at < arrival:
            fault = Fault(fault_at, fault_at + fault_duration(rng, behaviour))
            yield fault
            moment = fault.end
        else:
            visit = plan_visit(rng, arrival, rated_kw=rated_kw, guided=guided, behaviour=behaviour)
            yield visit
            moment = visit.departure


def blips(
    rng: random.Random, start: datetime, behaviour: Behaviour = DEFAULT_BEHAVIOUR
) -> Iterator[Blip]:
    """Offline blips of one connector from `start` on, in order."""
    rate = 1.0 / (behaviour.blip_mean_interval_days * 24.0)
    moment = start
    while True:
        begin = moment + _seconds(rng.expovariate(rate))
        end = begin + timedelta(seconds=rng.randint(*behaviour.blip_seconds))
        yield Blip(begin, end)
        moment = end


def _minutes(rng: random.Random, bounds: tuple[float, float]) -> timedelta:
    return timedelta(seconds=max(1, round(rng.uniform(*bounds) * 60)))


def live_faults(rng: random.Random, start: datetime, liveliness: Liveliness) -> Iterator[Fault]:
    """Candidate quick faults of one connector from `start` on (for `episodes`), in order."""
    rate = 1.0 / liveliness.fault_mean_interval_hours
    moment = start
    while True:
        begin = moment + _seconds(rng.expovariate(rate))
        yield Fault(begin, begin + _minutes(rng, liveliness.fault_minutes))
        moment = begin


def outages(rng: random.Random, start: datetime, liveliness: Liveliness) -> Iterator[Blip]:
    """Link outages of one connector from `start` on, in order, never overlapping: blips
    long enough for the hub's grace."""
    rate = 1.0 / liveliness.outage_mean_interval_hours
    moment = start
    while True:
        begin = moment + _seconds(rng.expovariate(rate))
        end = begin + _minutes(rng, liveliness.outage_minutes)
        yield Blip(begin, end)
        moment = end


def merge_blips(*streams: Iterator[Blip]) -> Iterator[Blip]:
    """Blips of several ordered streams in order; one that starts before the previous ended
    is dropped (the link is already down)."""
    last_end: datetime | None = None
    for blip in heapq.merge(*streams, key=lambda b: b.start):
        if last_end is not None and blip.start < last_end:
            continue
        last_end = blip.end
        yield blip
