"""Property (issue 15): a pile's colour is since the report that gave it that colour.

Random histories of a pile's connectors arrive one report at a time in a random order (late,
out of order across connectors and within one, re-delivered), all received at one hub
instant after the last of them; the worker's sweep runs at that instant after every delivery
or only once at the end, so the rules time alone applies are in play: faults older than 24 h
are red, offline beyond the grace is yellow, enough faults are red at once.

A simple model, written from the README's words and sharing no code with the service,
follows the same deliveries and says what the pile's colour and since must be:

- each connector's state is its newest report by (operator time, severity); its colour and
  the instant it took it, judged as of some instant: a fault is yellow at its report, red at
  report + 24 h (long fault) or, with `count` faults reported up to that instant, red once
  the count-th fault happened (but not before this fault); offline is yellow at report +
  grace; anything else is green; a rule whose instant is after the judged one does not apply;
- a report is judged as of its own operator time, but never before the instant the pile's
  yellow or red began; the sweep judges as of the hub's clock. A report that only moves a
  connector between in-service states (or repeats its state) judges nothing;
- the pile is the worst of its connectors;
- when the pile gets worse, it is since the first of its connectors now at the new colour
  took it; when a report makes it better, since the report's operator time, but not before
  the connectors now at the new colour took it, nor before the worse colour began; when
  the sweep does, since the sweep;
- the since then stays until the colour changes again.

The alerts follow: each opens, escalates and resolves at one of those instants, and never
resolves before it opened.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from app.core.config import ColourRules
from app.core.db import Database
from app.models import Alert, ChangeEvent, Pile
from app.status import service
from app.status.schemas import StatusReport
from tests.fixtures.factories import OPERATOR, create_pile

pytestmark = pytest.mark.asyncio

T0 = datetime(2026, 11, 1, tzinfo=UTC)
NOW = T0 + timedelta(hours=31)  # the hub processes everything after the last report
GRACE, LONG = timedelta(minutes=10), timedelta(hours=24)
# What the model knows of T/CEC codes: state and severity (the README's order of evidence).
STATES = {0: ("offline", 1), 1: ("available", 0), 2: ("occupied", 0), 3: ("charging", 0),
          4: ("reserved", 0), 255: ("faulted", 2)}  # fmt: skip
RANK = {"unknown": -1, "green": 0, "yellow": 1, "red": 2}

# Minutes after T0: early (faults 24 h old by NOW), around the 24-hour edge, and just before
# NOW (offline still within its grace).
minutes = st.one_of(
    st.integers(min_value=0, max_value=40),
    st.integers(min_value=400, max_value=440),
    st.integers(min_value=1835, max_value=1860),
)
histories = st.lists(
    st.tuples(st.integers(min_value=0, max_value=2), minutes, st.sampled_from(sorted(STATES))),
    min_size=1,
    max_size=14,
)


IN_SERVICE = {"available", "occupied", "charging", "reserved"}


@dataclass
class Model:
    count: int  # faults that make a pile red at once
    states: dict[int, tuple[datetime, int, str, datetime]] = field(default_factory=dict)
    faults: list[datetime] = field(default_factory=list)  # applied fault reports
    colour: str = "unknown"
    since: datetime | None = None
    cause: str | None = None
    changes: list[tuple[str, datetime]] = field(default_factory=list)

    def deliver(self, connector: int, at: datetime, code: int) -> bool:
        """One report; True if the pile's colour changed."""
        state, severity = STATES[code]
        current = self.states.get(connector)
        if current is not None and (at, severity) <= current[:2]:
            return False  # stale or a duplicate
        if current is not None and current[2] == state:
            self.states[connector] = (at, severity, state, current[3])
            return False
        self.states[connector] = (at, severity, state, at)
        if state == "faulted":
            self.faults.append(at)
        if current is not None and current[2] in IN_SERVICE and state in IN_SERVICE:
            return False
        judged = at
        if self.since is not None and RANK[self.colour] > RANK["green"]:
            judged = max(at, self.since)
        return self.follow(min(judged, NOW), at)

    def sweep(self) -> bool:
        return self.follow(NOW, None) if self.states else False

    def connector_colour(
        self, connector: int, judged: datetime
    ) -> tuple[str, datetime, str | None]:
        _, _, state, since = self.states[connector]
        if state == "faulted":
            reds = []
            if judged >= since + LONG:
                reds.append(("red", since + LONG, "long-fault"))
            counted = sorted(f for f in self.faults if f <= judged)  # all within the window
            if len(counted) >= self.count:
                reds.append(("red", max(since, counted[self.count - 1]), "repeated-fault"))
            return min(reds, key=lambda r: r[1]) if reds else ("yellow", since, "fault")
        if state == "offline" and judged >= since + GRACE:
            return ("yellow", since + GRACE, "offline")
        return ("green", since, None)

    def follow(self, judged: datetime, at: datetime | None) -> bool:
        """Judge the pile as of `judged`: for a report at operator time `at`, or the sweep."""
        colours = {c: self.connector_colour(c, judged) for c in self.states}
        colour = max((c[0] for c in colours.values()), key=RANK.__getitem__)
        if colour == self.colour:
            return False
        holders = sorted((c[1], c[2] or "") for c in colours.values() if c[0] == colour)
        since, cause = holders[0][0], holders[0][1] or None
        if RANK[colour] < RANK[self.colour]:
            assert self.since is not None
            since = max(at if at is not None else judged, since, self.since)
        self.colour, self.since, self.cause = colour, min(since, judged), cause
        self.changes.append((colour, self.since))
        return True


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    history=histories,
    connectors=st.integers(min_value=1, max_value=3),
    count=st.sampled_from([3, 100]),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    sweep_each=st.booleans(),
)
async def test_since_is_the_operator_time_of_the_report_that_set_the_colour(
    database: Database, history: list[tuple[int, int, int]], connectors: int, count: int,
    seed: int, sweep_each: bool,
) -> None:  # fmt: skip
    rules = ColourRules(offline_grace=GRACE, red_after_fault=LONG, repeated_fault_count=count)
    async with database.session(write=True) as session:
        ids = await create_pile(session, connectors=connectors)
    equipment = ids[0][:-1]  # the examples share the database: this pile's EquipmentID
    rng = random.Random(seed)
    deliveries = [(index % connectors, T0 + timedelta(minutes=m), code)
                  for index, m, code in history]  # fmt: skip
    deliveries += rng.choices(deliveries, k=len(deliveries) // 3)  # re-deliveries
    rng.shuffle(deliveries)
    model = Model(count)
    for number, (connector, at, code) in enumerate(deliveries, start=1):
        changed = model.deliver(connector, at, code)
        report = StatusReport(operator_id=OPERATOR, connector_id=ids[connector], code=code,
                              observed_at=at)  # fmt: skip
        async with database.session(write=True) as session:
            await service.record_status_reports(session, [report], rules=rules, now=NOW)
        pile = await _check(database, equipment, model, changed)
        if sweep_each or number == len(deliveries):
            changed = model.sweep()
            async with database.session(write=True) as session:
                await service.sweep_colours(session, rules=rules, now=NOW)
            pile = await _check(database, equipment, model, changed)

    async with database.session() as session:
        events = (
            await session.exec(
                select(ChangeEvent.payload)
                .where(ChangeEvent.kind == "pile.colour", ChangeEvent.subject == f"pile:{pile.id}")
                .order_by(col(ChangeEvent.id))
            )
        ).all()
        alerts = (await session.exec(select(Alert).where(Alert.pile_pk == pile.id))).all()
    logged = [
        (p["colour"], datetime.fromisoformat(p["since"]))
        for p in events
        if p is not None and p["colour"] != p["previous"]  # not a new cause alone
    ]
    assert logged == model.changes
    instants = {since for _, since in model.changes}
    for alert in alerts:
        assert alert.opened_at in instants
        assert alert.escalated_at is None or alert.escalated_at in instants
        if alert.resolved_at is not None:
            assert alert.resolved_at in instants
            assert alert.opened_at <= alert.resolved_at


async def _check(database: Database, equipment: str, model: Model, changed: bool) -> Pile:
    async with database.session() as session:
        pile = (await session.exec(select(Pile).where(Pile.equipment_id == equipment))).one()
    if model.since is not None:
        assert (pile.colour, pile.colour_since) == (model.colour, model.since)
    if changed:
        assert pile.colour_cause == model.cause
    return pile
