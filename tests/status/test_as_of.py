"""A report is judged as of its own operator time; the passing of time is the sweep's.

The demo simulator replays 30 days of status history at start, and an operator back from an
outage re-sends a day: old reports reach the hub long after their operator time. Judged at
the hub's clock, an offline report of days ago was at once offline beyond the grace (yellow,
an alert) and the next report, 3 minutes later in operator time, made it green again: a
zero-length alert for an outage that never was. Judged as of their own times they make
nothing the pile did not have; the sweep still applies the time rules at the hub's clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from app.core.config import ColourRules
from app.core.db import Database
from app.models import Alert, ChangeEvent, Pile
from app.status import service
from tests.status.helpers import RULES, T0, new_pile, record, report

pytestmark = pytest.mark.asyncio

DAYS_LATER = T0 + timedelta(days=3)  # when the replayed reports reach the hub


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


async def pile_of(database: Database, connector_id: str) -> Pile:
    equipment = connector_id[:-1]
    async with database.session() as session:
        return (await session.exec(select(Pile).where(Pile.equipment_id == equipment))).one()


async def colour_events(database: Database, pile: Pile) -> list[tuple[str, datetime, str | None]]:
    async with database.session() as session:
        rows = await session.exec(
            select(ChangeEvent.payload)
            .where(ChangeEvent.kind == "pile.colour", ChangeEvent.subject == f"pile:{pile.id}")
            .order_by(col(ChangeEvent.id))
        )
        return [
            (p["colour"], datetime.fromisoformat(p["since"]), p["cause"])
            for p in rows.all()
            if p is not None
        ]


async def alerts_of(database: Database, pile: Pile) -> list[Alert]:
    async with database.session() as session:
        rows = await session.exec(
            select(Alert).where(Alert.pile_pk == pile.id).order_by(col(Alert.id))
        )
        return list(rows.all())


async def sweep(database: Database, now: datetime) -> int:
    async with database.session(write=True) as session:
        return await service.sweep_colours(session, rules=RULES, now=now)


async def test_a_replayed_offline_blip_under_the_grace_makes_nothing(database: Database) -> None:
    """Offline at 08:05, back at 08:08, received days later one report at a time: the
    connector was offline 3 minutes, under the 10-minute grace, so never yellow."""
    (cid,) = await new_pile(database)
    await record(database, report(cid, 1), now=DAYS_LATER)
    await record(database, report(cid, 0, minutes=5), now=DAYS_LATER)
    pile = await pile_of(database, cid)
    assert (pile.colour, pile.colour_since) == ("green", at(0))
    await record(database, report(cid, 1, minutes=8), now=DAYS_LATER)
    pile = await pile_of(database, cid)
    assert (pile.colour, pile.colour_since, pile.colour_cause) == ("green", at(0), None)
    assert await colour_events(database, pile) == [("green", at(0), None)]
    assert await alerts_of(database, pile) == []


async def test_a_replayed_fault_repaired_in_two_hours_is_yellow_never_red(
    database: Database,
) -> None:
    """A fault at 08:05 repaired at 10:05, received days later: yellow (fault) from the
    fault to the repair, one fault alert resolved at the repair; not a long fault."""
    (cid,) = await new_pile(database)
    await record(database, report(cid, 1), now=DAYS_LATER)
    await record(database, report(cid, 255, minutes=5), now=DAYS_LATER)
    pile = await pile_of(database, cid)
    assert (pile.colour, pile.colour_since, pile.colour_cause) == ("yellow", at(5), "fault")
    await record(database, report(cid, 1, minutes=125), now=DAYS_LATER)
    pile = await pile_of(database, cid)
    assert await colour_events(database, pile) == [
        ("green", at(0), None),
        ("yellow", at(5), "fault"),
        ("green", at(125), None),
    ]
    (alert,) = await alerts_of(database, pile)
    assert (alert.cause, alert.severity, alert.state) == ("fault", "yellow", "resolved")
    assert (alert.opened_at, alert.escalated_at, alert.resolved_at) == (at(5), None, at(125))
    assert alert.updated_at == DAYS_LATER  # the hub's clock dates what the hub did


async def test_live_offline_beyond_the_grace_is_the_sweeps_to_apply(database: Database) -> None:
    """Offline 11 minutes ago, received now: as of its own time it is within the grace, so
    the report alone leaves the pile green; the sweep, at the hub's clock, turns it yellow
    since offline + grace, and opens the offline alert at that instant."""
    now = at(60)
    (cid,) = await new_pile(database)
    await record(database, report(cid, 1, minutes=0), now=at(1))
    await record(database, report(cid, 0, minutes=49), now=now)
    pile = await pile_of(database, cid)
    assert pile.colour == "green"
    assert await sweep(database, now) == 1
    pile = await pile_of(database, cid)
    assert (pile.colour, pile.colour_since, pile.colour_cause) == ("yellow", at(59), "offline")
    (alert,) = await alerts_of(database, pile)
    assert (alert.cause, alert.opened_at, alert.state) == ("offline", at(59), "open")
    # Back a minute later (live): green since the report, the alert resolved then.
    await record(database, report(cid, 1, minutes=61), now=at(61))
    pile = await pile_of(database, cid)
    assert (pile.colour, pile.colour_since) == ("green", at(61))
    (alert,) = await alerts_of(database, pile)
    assert (alert.state, alert.resolved_at) == ("resolved", at(61))


async def test_live_long_fault_is_still_red_by_the_sweep(database: Database) -> None:
    (cid,) = await new_pile(database)
    await record(database, report(cid, 255, minutes=5), now=at(5.1))
    assert await sweep(database, at(24 * 60 + 6)) == 1
    pile = await pile_of(database, cid)
    assert (pile.colour, pile.colour_since, pile.colour_cause) == (
        "red",
        at(24 * 60 + 5),
        "long-fault",
    )


async def test_each_pile_of_a_batch_is_judged_as_of_its_own_reports(database: Database) -> None:
    """One batch carries an old offline report for one pile and a later report for
    another: the first pile is judged as of its own report, not the other pile's."""
    (a,) = await new_pile(database)
    (b,) = await new_pile(database)
    await record(database, report(a, 1), report(b, 1), now=DAYS_LATER)
    await record(database, report(a, 0, minutes=5), report(b, 255, minutes=60), now=DAYS_LATER)
    pile_a, pile_b = await pile_of(database, a), await pile_of(database, b)
    assert pile_a.colour == "green"
    assert (pile_b.colour, pile_b.colour_since) == ("yellow", at(60))
    await record(database, report(a, 1, minutes=8), now=DAYS_LATER)
    pile_a = await pile_of(database, a)
    assert await colour_events(database, pile_a) == [("green", at(0), None)]
    assert await alerts_of(database, pile_a) == []


async def test_a_later_report_of_a_connector_judges_the_others_as_of_its_time(
    database: Database,
) -> None:
    """Replayed in time order: one connector offline at 08:05, the other reports at 08:20
    while the first is still offline, so as of 08:20 the first is offline beyond the grace:
    yellow since 08:15 (in retrospect), until it is back at 08:35."""
    a, b = await new_pile(database, connectors=2)
    await record(database, report(a, 1), report(b, 1), now=DAYS_LATER)
    await record(database, report(a, 0, minutes=5), now=DAYS_LATER)
    await record(database, report(b, 255, minutes=20), now=DAYS_LATER)
    await record(database, report(b, 1, minutes=21), now=DAYS_LATER)
    await record(database, report(a, 1, minutes=35), now=DAYS_LATER)
    pile = await pile_of(database, a)
    assert await colour_events(database, pile) == [
        ("green", at(0), None),
        ("yellow", at(15), "offline"),
        ("green", at(35), None),
    ]
    (alert,) = await alerts_of(database, pile)
    assert (alert.cause, alert.opened_at, alert.resolved_at) == ("offline", at(15), at(35))


async def test_a_report_older_than_the_sweeps_colour_does_not_undo_it(
    database: Database,
) -> None:
    """The sweep made the pile yellow since 08:15 (offline since 08:05); a late report of
    the other connector, dated 08:02, is judged no earlier than 08:15: the pile stays yellow
    and its alert open (judged at 08:02 the pile would be green, the alert resolved before
    it opened)."""
    a, b = await new_pile(database, connectors=2)
    await record(database, report(a, 1), report(b, 1), now=at(0.1))
    await record(database, report(a, 0, minutes=5), now=at(5.1))
    await sweep(database, at(20))
    await record(database, report(b, 0, minutes=2), now=at(21))
    pile = await pile_of(database, a)
    assert (pile.colour, pile.colour_since, pile.colour_cause) == ("yellow", at(15), "offline")
    (alert,) = await alerts_of(database, pile)
    assert (alert.state, alert.opened_at) == ("open", at(15))


async def test_the_repeated_fault_window_ends_at_the_report(database: Database) -> None:
    """Three faults within 7 days of each other, replayed 10 days later: red (repeated
    faults) since the third, as of its time; at the hub's clock the first two are outside
    the window."""
    rules = ColourRules(red_after_fault=timedelta(days=30))  # only the count makes it red
    (cid,) = await new_pile(database)
    later = T0 + timedelta(days=10)
    for minutes, code in ((0, 255), (60, 1), (24 * 60, 255), (25 * 60, 1), (5 * 24 * 60, 255)):
        async with database.session(write=True) as session:
            await service.record_status_reports(
                session, [report(cid, code, minutes=minutes)], rules=rules, now=later
            )
    pile = await pile_of(database, cid)
    assert (pile.colour, pile.colour_since, pile.colour_cause) == (
        "red",
        at(5 * 24 * 60),
        "repeated-fault",
    )
