"""The State Grid fleet on a simulated clock: pure, no I/O, the same for the same seed.

Each connector of `demo_catalogue(seed)` gets its own random streams (seeded from the seed and
its ConnectorID), which yield its visits and faults (`behaviour.episodes`) and its offline
blips (`behaviour.blips`). The connector's status is derived from them:

    visit   1 available → 2 occupied (plugged, scanning or waiting for the valley timer)
            → 3 charging → 2 occupied (finished, still plugged) → 1 available
    fault   1 → 255 → 1 (repaired)
    blip    x → 0 offline → the status underneath (a blip during a fault is not seen)

and a charge order closes at the end of charging. Because every stream is per connector and
lazily consumed, `step(now)` gives the same events however often it is called.

The streams start at a fixed epoch (2022-01-01, the report's year) whatever the window, so a
session has the same StartChargeSeq in every run that sees it: a restarted simulator re-sends
orders the hub already holds (duplicates, or corrections where the scaling moved) instead of
inventing new ones. Fast-forwarding four years costs about half a second.

`backfill(days, end)` runs the streams over the `days` before `end`, then scales the energy
of each community's finished sessions (one factor per community, capped per session by what
its car could draw before leaving) so the community's total is its `monthly_kwh` × days / 30
to the cent; the live simulation continues from `end` with the state the history left (a
session charging across `end` is cut there: its order only counts what is charged after).
It keeps what the window's statuses were (`status_history()`): each connector's status at the
window's start, dated from when that status began (at the start, or earlier for a visit,
fault or blip already under way), then every change inside the window, all in time order, so
the hub can observe the whole window rather than only the state it ended in.

With a `Liveliness` (the demo's), the live simulation adds quick faults and outages from the
live start on (`behaviour.live_faults`, `behaviour.outages`, from their own streams), and
`backfill` stages its history's end so the board starts with every colour (`_stage`): one
pile of the report's communities has faulted three times in the last week and is still
faulted, its part on order (red: repeated faults, then a fault open over 24 h), and another
has had a fault open for a couple of hours (yellow). Both piles are picked by the seed.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import chain

from app.catalogue.beixinjing import Community, Facts, Station, demo_catalogue
from app.core.time import LOCAL_TZ
from app.simulator.behaviour import (
    DEFAULT_BEHAVIOUR,
    GUIDED_OFF_PEAK,
    Behaviour,
    Blip,
    Episode,
    Fault,
    Liveliness,
    Visit,
    blips,
    episodes,
    live_faults,
    merge_blips,
    outages,
)
from app.simulator.orders import CENT, ChargeOrder, OrderBook, build_order, share_out
from app.simulator.tariff import Tariff

AVAILABLE, OCCUPIED, CHARGING, OFFLINE, FAULTED = 1, 2, 3, 0, 255
REPORT_MONTH_DAYS = 30  # monthly_kwh is "近一个月"
EPOCH = datetime(2022, 1, 1, tzinfo=LOCAL_TZ)


@dataclass(frozen=True, slots=True)
class ConnectorSpec:
    number: int  # 1-based position in the catalogue; the last 4 digits of StartChargeSeq
    connector_id: str
    equipment_id: str
    station_id: str
    community_code: str
    community_name: str
    power_kw: float
    daily_sessions: float
    guided: bool


@dataclass(frozen=True, slots=True)
class StatusChange:
    at: datetime
    connector_id: str
    station_id: str
    status: int
    previous: int


@dataclass(frozen=True, slots=True)
class OrderFinished:
    at: datetime
    order: ChargeOrder


Event = StatusChange | OrderFinished


@dataclass(frozen=True, slots=True)
class ConnectorStatus:
    connector_id: str
    station_id: str
    status: int
    since: datetime


@dataclass(frozen=True, slots=True)
class _Point:
    """A change of the connector's underlying status, maybe closing an order."""

    at: datetime
    status: int
    visit: Visit | None = None  # set on the point that ends charging


def _points(episode: Episode) -> list[_Point]:
    if isinstance(episode, Fault):
        return [_Point(episode.start, FAULTED), _Point(episode.end, AVAILABLE)]
    return [
        _Point(episode.plug_in, OCCUPIED),
        _Point(episode.charge_start, CHARGING),
        _Point(episode.charge_end, OCCUPIED, episode),
        _Point(episode.departure, AVAILABLE),
    ]


class _ConnectorSim:
    """One connector: merges its status points with its blips into observed changes."""

    def __init__(
        self,
        spec: ConnectorSpec,
        start: datetime,
        episodes_: Iterator[Episode],
        blips_: Iterator[Blip],
        *,
        operator_id: str,
        tariff: Tariff,
    ) -> None:
        self.spec = spec
        self._episodes = episodes_
        self._blips = blips_
        self._points: deque[_Point] = deque()
        self._blip = next(blips_)
        self._in_blip = False
        self._underlying = AVAILABLE
        self._operator_id = operator_id
        self._tariff = tariff
        self.status = AVAILABLE
        self.since = start

    def _next_point(self) -> _Point:
        while not self._points:
            self._points.extend(_points(next(self._episodes)))
        return self._points[0]

    def advance(self, until: datetime) -> list[Event]:
        """Every event up to and including `until`, in order."""
        events: list[Event] = []
        while True:
            point = self._next_point()
            edge = self._blip.end if self._in_blip else self._blip.start
            if point.at <= edge:  # on a tie the status change comes first
                if point.at > until:
                    return events
                self._points.popleft()
                self._underlying = point.status
                if not self._in_blip:
                    self._observe(point.at, point.status, events)
                if point.visit is not None:
                    events.append(OrderFinished(point.at, self._order(point.visit)))
            else:
                if edge > until:
                    return events
                if self._in_blip:
                    self._in_blip = False
                    self._blip = next(self._blips)
                    self._observe(edge, self._underlying, events)
                elif self._underlying == FAULTED:
                    self._blip = next(self._blips)  # the link drop hides behind the fault
                else:
                    self._in_blip = True
                    self._observe(edge, OFFLINE, events)

    def _observe(self, at: datetime, status: int, events: list[Event]) -> None:
        if status == self.status:
            return
        events.append(
            StatusChange(at, self.spec.connector_id, self.spec.station_id, status, self.status)
        )
        self.status, self.since = status, at

    def _order(self, visit: Visit) -> ChargeOrder:
        spec = self.spec
        return build_order(
            operator_id=self._operator_id,
            connector_number=spec.number,
            connector_id=spec.connector_id,
            station_id=spec.station_id,
            community_code=spec.community_code,
            visit=visit,
            tariff=self._tariff,
        )


def connector_specs(
    catalogue: Sequence[tuple[Community, Station]],
    behaviour: Behaviour = DEFAULT_BEHAVIOUR,
) -> list[ConnectorSpec]:
    """Every connector of the catalogue, with the arrival rate its community's energy needs."""
    specs: list[ConnectorSpec] = []
    for community, station in catalogue:
        connectors = [(e, c) for e in station.equipment for c in e.connectors]
        daily_kwh = community.monthly_kwh / REPORT_MONTH_DAYS / max(1, len(connectors))
        for equipment, connector in connectors:
            specs.append(
                ConnectorSpec(
                    number=len(specs) + 1,
                    connector_id=connector.connector_id,
                    equipment_id=equipment.equipment_id,
                    station_id=station.station_id,
                    community_code=community.code,
                    community_name=community.name,
                    power_kw=connector.power_kw or equipment.power_kw,
                    daily_sessions=arrival_rate(daily_kwh, behaviour),
                    guided=community.name in GUIDED_OFF_PEAK,
                )
            )
    return specs


def arrival_rate(daily_kwh: float, behaviour: Behaviour = DEFAULT_BEHAVIOUR) -> float:
    """Cars per day a connector must see to charge `daily_kwh`: a car only plugs in while the
    connector is free, so the rate is raised by the share of the day it is busy (an M/G/1/1
    loss queue: served = λ / (1 + λ × stay))."""
    served = daily_kwh / behaviour.mean_session_kwh
    busy = served * behaviour.mean_stay_days
    if busy >= 0.95:
        raise ValueError(f"{daily_kwh} kWh a day does not fit on one connector")
    return served / (1 - busy)


def community_targets(
    catalogue: Sequence[tuple[Community, Station]], days: float
) -> dict[str, Decimal]:
    """kWh each community should charge over `days`: its monthly figure pro rata."""
    return {
        community.code: (
            Decimal(community.monthly_kwh) * Decimal(str(days)) / REPORT_MONTH_DAYS
        ).quantize(CENT)
        for community, _ in catalogue
    }


class FleetModel:
    """The fleet. Start it with `backfill(days, end)` (history, then live from `end`) or
    `start(at)` (live from `at`, no orders before it); then call `step(now)`."""

    def __init__(
        self,
        *,
        seed: int = 2022,
        catalogue: Sequence[tuple[Community, Station]] | None = None,
        tariff: Tariff | None = None,
        behaviour: Behaviour = DEFAULT_BEHAVIOUR,
        epoch: datetime = EPOCH,
        liveliness: Liveliness | None = None,
    ) -> None:
        self.seed = seed
        self.epoch = epoch
        self.catalogue = list(catalogue if catalogue is not None else demo_catalogue(seed))
        self.operator_id = self.catalogue[0][1].operator_id
        self.tariff = tariff or _demo_tariff()
        self.behaviour = behaviour
        self.liveliness = liveliness  # None: the live simulation is as quiet as the history
        self.specs = connector_specs(self.catalogue, behaviour)
        self.orders = OrderBook()
        self._sims: list[_ConnectorSim] = []
        self._history: list[ConnectorStatus] = []
        self._now: datetime | None = None

    @property
    def now(self) -> datetime:
        if self._now is None:
            raise RuntimeError("the model has not started: call backfill() or start()")
        return self._now

    @property
    def started(self) -> bool:
        return self._now is not None

    def _episodes(
        self, spec: ConnectorSpec, until: datetime, live_from: datetime
    ) -> Iterator[Episode]:
        rng = random.Random(f"{self.seed}:{spec.connector_id}:episodes")
        extra = None
        if self.liveliness is not None:
            live_rng = random.Random(f"{self.seed}:{spec.connector_id}:live-faults")
            extra = live_faults(live_rng, live_from, self.liveliness)
        return episodes(
            rng,
            min(self.epoch, until),
            daily_rate=spec.daily_sessions,
            rated_kw=spec.power_kw,
            guided=spec.guided,
            behaviour=self.behaviour,
            extra_faults=extra,
        )

    def _sim(
        self, spec: ConnectorSpec, begin: datetime, source: Iterable[Episode], live_from: datetime
    ) -> _ConnectorSim:
        rng = random.Random(f"{self.seed}:{spec.connector_id}:blips")
        stream = blips(rng, min(self.epoch, begin), self.behaviour)
        if self.liveliness is not None:
            live_rng = random.Random(f"{self.seed}:{spec.connector_id}:outages")
            stream = merge_blips(stream, outages(live_rng, live_from, self.liveliness))
        blips_ = (b for b in stream if b.end > begin)
        return _ConnectorSim(
            spec, begin, iter(source), blips_, operator_id=self.operator_id, tariff=self.tariff
        )

    def start(self, at: datetime) -> None:
        """Live from `at`, without history (a session under way at `at` goes on)."""
        self._require_fresh()
        self._sims = []
        for spec in self.specs:
            past, rest = _history(self._episodes(spec, at, at), at, at, cut=False)
            sim = self._sim(spec, at, chain(past, rest), at)
            sim.advance(at)  # the state at `at`; what happened before is not reported
            self._sims.append(sim)
        self._history = sorted(self._current(), key=lambda s: s.since)
        self._now = at

    def backfill(self, *, days: float = 30, end: datetime) -> list[ChargeOrder]:
        """The orders of sessions charged within the `days` before `end`, each community's
        energy scaled to its target; afterwards the live simulation continues from `end`."""
        self._require_fresh()
        begin = end - timedelta(days=days)
        history: list[list[Episode]] = []
        rests: list[Iterator[Episode]] = []
        for spec in self.specs:
            past, rest = _history(self._episodes(spec, begin, end), begin, end, cut=True)
            history.append(past)
            rests.append(rest)
        if self.liveliness is not None:
            _stage(self.seed, self.catalogue, self.specs, history, rests, end)
        targets = community_targets(self.catalogue, days)
        scaled = _scale(self.specs, history, targets, begin, end, self.behaviour)
        self._sims = [
            self._sim(spec, begin, chain(past, rest), end)
            for spec, past, rest in zip(self.specs, scaled, rests, strict=True)
        ]
        orders: list[ChargeOrder] = []
        tagged: list[tuple[datetime, int, int, ConnectorStatus]] = []
        for sim in self._sims:
            spec, events = sim.spec, sim.advance(end)
            orders.extend(
                e.order for e in events if isinstance(e, OrderFinished) and e.order.start >= begin
            )
            changes = [e for e in events if isinstance(e, StatusChange)]
            # What was under way at `begin` collapses into the status the window starts with.
            before = [c for c in changes if c.at <= begin]
            first = ConnectorStatus(
                spec.connector_id,
                spec.station_id,
                before[-1].status if before else AVAILABLE,
                before[-1].at if before else begin,
            )
            statuses = [first] + [
                ConnectorStatus(c.connector_id, c.station_id, c.status, c.at)
                for c in changes
                if c.at > begin
            ]
            tagged.extend((s.since, spec.number, i, s) for i, s in enumerate(statuses))
        tagged.sort(key=lambda item: item[:3])
        self._history = [item[3] for item in tagged]
        orders.sort(key=lambda o: (o.end, o.start_charge_seq))
        self.orders.add(orders)
        self._now = end
        return orders

    def step(self, now: datetime) -> list[Event]:
        """Advance to `now`: status changes and closed orders since the last step, in time
        order (per connector in causal order)."""
        if now <= self.now:
            return []
        tagged: list[tuple[datetime, int, int, Event]] = []
        for sim in self._sims:
            for index, event in enumerate(sim.advance(now)):
                tagged.append((event.at, sim.spec.number, index, event))
        tagged.sort(key=lambda item: item[:3])
        events = [item[3] for item in tagged]
        self.orders.add(e.order for e in events if isinstance(e, OrderFinished))
        self._now = now
        return events

    def statuses(self) -> list[ConnectorStatus]:
        """Every connector's current status, in catalogue order."""
        if self._now is None:
            raise RuntimeError("the model has not started: call backfill() or start()")
        return self._current()

    def status_history(self) -> list[ConnectorStatus]:
        """What the hub should learn before the live changes, oldest first (per connector in
        causal order; `since` is the operator time of each): after `backfill()` every
        connector's status at the window's start, then each change inside the window, so each
        connector's last entry is its status at the window's end; after `start(at)` only the
        statuses at `at`."""
        if self._now is None:
            raise RuntimeError("the model has not started: call backfill() or start()")
        return list(self._history)

    def _current(self) -> list[ConnectorStatus]:
        return [
            ConnectorStatus(s.spec.connector_id, s.spec.station_id, s.status, s.since)
            for s in self._sims
        ]

    def _require_fresh(self) -> None:
        if self._now is not None:
            raise RuntimeError("the model has already started")


def _demo_tariff() -> Tariff:
    return Tariff.from_config(Facts.load().time_of_use_default)


def _span(episode: Episode) -> tuple[datetime, datetime]:
    if isinstance(episode, Fault):
        return episode.start, episode.end
    return episode.plug_in, episode.departure


def _history(
    source: Iterator[Episode], begin: datetime, end: datetime, *, cut: bool
) -> tuple[list[Episode], Iterator[Episode]]:
    """The episodes under way between `begin` and `end`, and an iterator of the later ones.

    With `cut`, a session charging across `end` is cut there: history keeps none of it and the
    live simulation delivers the rest, so an order never straddles the backfill's edge.
    """
    past: list[Episode] = []
    for episode in source:
        starts, ends = _span(episode)
        if ends <= begin:
            continue
        if starts >= end:
            return past, chain([episode], source)
        if cut and isinstance(episode, Visit) and episode.charge_start < end < episode.charge_end:
            episode = episode.starting_at(end)
        past.append(episode)
    return past, iter(())  # pragma: no cover - the streams are endless


def _scale(
    specs: Sequence[ConnectorSpec],
    history: Sequence[list[Episode]],
    targets: dict[str, Decimal],
    begin: datetime,
    end: datetime,
    behaviour: Behaviour,
) -> list[list[Episode]]:
    """History with each community's sessions inside the window scaled to hit its target."""
    closed: dict[str, list[tuple[int, int]]] = {}  # community -> (connector index, episode index)
    for i, (spec, past) in enumerate(zip(specs, history, strict=True)):
        for j, episode in enumerate(past):
            if (
                isinstance(episode, Visit)
                and episode.charge_start >= begin
                and episode.charge_end <= end
            ):
                closed.setdefault(spec.community_code, []).append((i, j))
    result = [list(past) for past in history]
    for community, where in closed.items():
        visits = [_visit(result, i, j) for i, j in where]
        caps = [v.capacity_kwh(end, behaviour) for v in visits]
        energies = _fill([float(v.energy_kwh) for v in visits], caps, float(targets[community]))
        shares = _cents(energies, targets[community], caps)
        for (i, j), visit, share, cap in zip(where, visits, shares, caps, strict=True):
            result[i][j] = visit.with_energy(share, full=visit.full and float(share) < cap - 0.01)
    return result


# The staged end of a lively history (module docstring), in hours before the window's end.
_RED_EARLIER_FAULTS = ((6 * 24 + 5, 3.0), (3 * 24 + 14, 5.0))  # (start, duration)
_RED_OPEN_FAULT = (30.0, 48.0)  # started this long before the end; repaired after it
_YELLOW_FAULT = (2.0, 1.0)


def _stage(
    seed: int,
    catalogue: Sequence[tuple[Community, Station]],
    specs: Sequence[ConnectorSpec],
    history: list[list[Episode]],
    rests: list[Iterator[Episode]],
    end: datetime,
) -> None:
    """Give the window's end a red pile and a yellow one, in place (module docstring).

    Both are picked by the seed among the connectors of the report's (not synthetic)
    communities without a fault in the last week, so the hub's repeated-fault count sees
    only the staged faults; what they overlap (visits, faults) is dropped, and the energy
    scaling that follows makes up the visits.
    """
    real = {community.code for community, _ in catalogue if not community.synthetic}
    week = end - timedelta(days=7)
    quiet = [
        i
        for i, spec in enumerate(specs)
        if spec.community_code in real
        and not any(isinstance(e, Fault) and e.end > week for e in history[i])
    ]
    if len(quiet) < 2:  # pragma: no cover - a catalogue of the report has 17 piles
        return
    red, yellow = random.Random(f"{seed}:staged").sample(quiet, 2)
    staged = {
        red: [_fault(end, ago, ago - hours) for ago, hours in _RED_EARLIER_FAULTS]
        + [_fault(end, _RED_OPEN_FAULT[0], -_RED_OPEN_FAULT[1])],
        yellow: [_fault(end, _YELLOW_FAULT[0], -_YELLOW_FAULT[1])],
    }
    for i, faults in staged.items():
        kept = [e for e in history[i] if not any(_overlaps(e, f) for f in faults)]
        history[i] = sorted([*kept, *faults], key=lambda e: _span(e)[0])
        rests[i] = _after(rests[i], faults[-1].end)


def _fault(end: datetime, start_hours: float, end_hours: float) -> Fault:
    """A fault from `start_hours` before `end` to `end_hours` before it (negative: after)."""
    return Fault(end - timedelta(hours=start_hours), end - timedelta(hours=end_hours))


def _overlaps(episode: Episode, fault: Fault) -> bool:
    starts, ends = _span(episode)
    return starts < fault.end and fault.start < ends


def _after(source: Iterator[Episode], moment: datetime) -> Iterator[Episode]:
    return (e for e in source if _span(e)[0] >= moment)


def _visit(history: list[list[Episode]], i: int, j: int) -> Visit:
    episode = history[i][j]
    assert isinstance(episode, Visit)
    return episode


def _fill(energies: list[float], caps: list[float], target: float) -> list[float]:
    """min(f × e, cap) for the factor f that makes the sum `target` (bisection; all at their
    caps when even that falls short)."""
    reachable = [c if e > 0 else 0.0 for e, c in zip(energies, caps, strict=True)]
    if sum(reachable) <= target:
        return reachable
    low, high = 0.0, 1.0
    while sum(min(high * e, c) for e, c in zip(energies, caps, strict=True)) < target:
        high *= 2
    for _ in range(100):
        mid = (low + high) / 2
        if sum(min(mid * e, c) for e, c in zip(energies, caps, strict=True)) < target:
            low = mid
        else:
            high = mid
    return [min(high * e, c) for e, c in zip(energies, caps, strict=True)]


def _cents(energies: list[float], target: Decimal, caps: list[float]) -> list[Decimal]:
    """Whole 0.01 kWh per session, summing to `target` when the caps allow, each ≥ 0.01."""
    total = min(target, Decimal(str(sum(caps))).quantize(CENT))
    shares = share_out(total, energies) if sum(energies) > 0 else [CENT] * len(energies)
    return [max(share, CENT) for share in shares]
