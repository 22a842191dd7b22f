"""Property (issue 15): a pile's colour is since the report that gave it that colour.

Random histories of a pile's connectors arrive one report at a time in a random order (late,
out of order across connectors and within one, re-delivered), all processed at one hub
instant after the last of them, so the rules time alone applies are in play: faults older
than 24 h are red, offline beyond the grace is yellow, enough faults are red at once.

A simple model, written from the README's words and sharing no code with the service,
follows the same deliveries and says what the pile's colour and since must be:

- each connector's state is its newest report by (operator time, severity); its colour and
  the instant it took it: a fault is yellow at its report, red at report + 24 h (long
  fault) or, with `count` faults recorded, red once the count-th fault happened (but not
  before this fault); offline is yellow at report + grace; anything else is green;
- the pile is the worst of its connectors;
- when a delivered report makes the pile worse, the pile is since the instant the report's
  connector took the new colour; when it makes the pile better, since the report's operator
  time, but not before the connectors now at the new colour took it, nor before the worse
  colour began;
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
        return self.follow(connector, at)

    def connector_colour(self, connector: int) -> tuple[str, datetime, str | None]:
        _, _, state, since = self.states[connector]
        if state == "faulted":
            reds = []
            if NOW >= since + LONG:
                reds.append(("red", since + LONG, "long-fault"))
            if len(self.faults) >= self.count:
                count_th = sorted(self.faults)[self.count - 1]
                reds.append(("red", max(since, count_th), "repeated-fault"))
            return min(reds, key=lambda r: r[1]) if reds else ("yellow", since, "fault")
        if state == "offline" and NOW >= since + GRACE:
            return ("yellow", since + GRACE, "offline")
        return ("green", since, None)

    def follow(self, connector: int, at: datetime) -> bool:
        colours = {c: self.connector_colour(c) for c in self.states}
        colour = max((c[0] for c in colours.values()), key=RANK.__getitem__)
        if colour == self.colour:
            return False
        holders = sorted((c[1], c[2] or "") for c in colours.values() if c[0] == colour)
        if RANK[colour] > RANK[self.colour]:
            mine = colours[connector]
            assert mine[0] == colour, "a worse colour comes from the report's own connector"
            since, cause = mine[1], mine[2]
        else:
            assert self.since is not None
            since = max(at, holders[0][0], self.since)
            cause = holders[0][1] or None
        self.colour, self.since, self.cause = colour, min(since, NOW), cause
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
)
async def test_since_is_the_operator_time_of_the_report_that_set_the_colour(
    database: Database, history: list[tuple[int, int, int]], connectors: int, count: int,
    seed: int,
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
    for connector, at, code in deliveries:
        changed = model.deliver(connector, at, code)
        report = StatusReport(operator_id=OPERATOR, connector_id=ids[connector], code=code,
                              observed_at=at)  # fmt: skip
        async with database.session(write=True) as session:
            await service.record_status_reports(session, [report], rules=rules, now=NOW)
        async with database.session() as session:
            pile = (await session.exec(select(Pile).where(Pile.equipment_id == equipment))).one()
        if model.since is not None:
            assert (pile.colour, pile.colour_since) == (model.colour, model.since)
        if changed:
            assert pile.colour_cause == model.cause

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
