"""Status semantics on real databases: outcomes, history, colours, the change log."""

from __future__ import annotations

import dataclasses
from datetime import timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import city_principal
from app.core.config import Settings
from app.core.db import Database
from app.models import Alert, ChangeEvent, Connector, ConnectorStatus, Pile, StatusChange
from app.status import service
from app.status.errors import StatusReportRejected
from app.status.schemas import Outcome, StatusReport
from tests.status.helpers import RULES, T0, new_pile, record, report

pytestmark = pytest.mark.asyncio


async def count(session: AsyncSession, model: type[SQLModel]) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


async def current(database: Database, connector_id: str) -> ConnectorStatus:
    async with database.session() as session:
        row = (
            await session.exec(
                select(ConnectorStatus)
                .join(Connector, col(Connector.id) == ConnectorStatus.connector_pk)
                .where(Connector.connector_id == connector_id)
            )
        ).one()
    return row


async def pile_colour(database: Database) -> str:
    async with database.session() as session:
        return (await session.exec(select(Pile.colour))).one()


class TestRecordStatusReports:
    async def test_first_report_sets_state_history_colour_and_events(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        assert await record(database, report(cid, 255)) == [Outcome.CHANGED]
        state = await current(database, cid)
        assert state.status == "faulted"
        assert state.raw_code == 255
        assert state.observed_at == T0
        assert state.received_at == T0 + timedelta(seconds=3)
        assert await pile_colour(database) == "yellow"
        async with database.session() as session:
            kinds = (
                await session.exec(select(ChangeEvent.kind).order_by(col(ChangeEvent.id)))
            ).all()
            assert await count(session, StatusChange) == 1
        assert kinds[-3:] == ["connector.status", "pile.colour", "alert.opened"]

    async def test_duplicate_stores_nothing(self, database: Database) -> None:
        (cid,) = await new_pile(database)
        await record(database, report(cid, 3))
        async with database.session() as session:
            before = (await count(session, StatusChange), await count(session, ChangeEvent))
        assert await record(database, report(cid, 3)) == [Outcome.DUPLICATE]
        async with database.session() as session:
            after = (await count(session, StatusChange), await count(session, ChangeEvent))
        assert after == before

    async def test_newer_report_of_the_same_state_only_advances_observed_time(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        await record(database, report(cid, 1))
        assert await record(database, report(cid, 1, minutes=5)) == [Outcome.UNCHANGED]
        state = await current(database, cid)
        assert state.observed_at == T0 + timedelta(minutes=5)
        assert state.since == T0
        async with database.session() as session:
            assert await count(session, StatusChange) == 1

    async def test_late_report_is_kept_but_never_moves_state_back(self, database: Database) -> None:
        (cid,) = await new_pile(database)
        await record(database, report(cid, 3, minutes=10))
        assert await record(database, report(cid, 255, minutes=5)) == [Outcome.STALE]
        assert (await current(database, cid)).status == "charging"
        assert await pile_colour(database) == "green"
        async with database.session() as session:
            late = (
                await session.exec(select(StatusChange).where(StatusChange.status == "faulted"))
            ).one()
        assert late.applied is False
        assert late.observed_at == T0 + timedelta(minutes=5)
        # The same late report again is a duplicate.
        assert await record(database, report(cid, 255, minutes=5)) == [Outcome.DUPLICATE]

    async def test_reports_in_one_batch_apply_in_operator_time_order(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        outcomes = await record(
            database, report(cid, 1, minutes=20), report(cid, 3, minutes=10), report(cid, 255)
        )
        assert outcomes == [Outcome.CHANGED, Outcome.CHANGED, Outcome.CHANGED]
        assert (await current(database, cid)).status == "available"
        async with database.session() as session:
            history = (
                await session.exec(
                    select(StatusChange.status).order_by(col(StatusChange.observed_at))
                )
            ).all()
        assert history == ["faulted", "charging", "available"]

    async def test_same_operator_time_resolves_to_the_more_severe_state(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        await record(database, report(cid, 255), report(cid, 1))
        assert (await current(database, cid)).status == "faulted"
        (other,) = await new_pile(database)
        await record(database, report(other, 1), report(other, 255))
        assert (await current(database, other)).status == "faulted"

    @pytest.mark.parametrize(
        ("kwargs", "reason"),
        [
            ({"code": 7}, "unknown status code 7"),
            ({"connector_id": "NOPE"}, "unknown connector NOPE"),
            ({"operator_id": "XXXXXXXXX"}, "unknown operator XXXXXXXXX"),
        ],
    )
    async def test_unknown_code_connector_or_operator_is_refused_and_stores_nothing(
        self, database: Database, kwargs: dict[str, Any], reason: str
    ) -> None:
        (cid,) = await new_pile(database)
        await record(database, report(cid, 1))
        async with database.session() as session:
            before = (await count(session, StatusChange), await count(session, ChangeEvent))
        bad = dataclasses.replace(report(cid, 1, minutes=5), **kwargs)
        with pytest.raises(StatusReportRejected) as raised:
            async with database.session(write=True) as session:
                await service.record_status_report(session, bad, rules=RULES)
        assert raised.value.detail == reason
        async with database.session() as session:
            after = (await count(session, StatusChange), await count(session, ChangeEvent))
        assert after == before
        assert (await current(database, cid)).observed_at == T0

    async def test_events_give_the_operator_time_in_utc_whatever_offset_it_came_in(
        self, database: Database
    ) -> None:
        first, second = await new_pile(database, connectors=2)
        shanghai = timezone(timedelta(hours=8))
        # The same instant at two offsets, in one batch: one text for both events.
        at_utc = T0 + timedelta(minutes=1)
        await record(
            database,
            report(first, 3, observed_at=at_utc.astimezone(shanghai)),
            report(second, 3, observed_at=at_utc),
        )
        async with database.session() as session:
            payloads = (
                await session.exec(
                    select(ChangeEvent.payload).where(ChangeEvent.kind == "connector.status")
                )
            ).all()
        assert (
            sorted(p["observed_at"] for p in payloads if p is not None)
            == ["2026-11-01T08:01:00+00:00"] * 2
        )

    async def test_a_bad_report_does_not_spoil_the_rest_of_its_batch(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        outcomes = await record(database, report(cid, 42), report(cid, 3), report("NOPE", 1))
        assert outcomes == [Outcome.REJECTED, Outcome.CHANGED, Outcome.REJECTED]
        assert (await current(database, cid)).status == "charging"

    async def test_state_history_and_event_commit_together_or_not_at_all(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        async with database.session() as session:
            events_before = await count(session, ChangeEvent)

        async def crash_before_commit() -> None:
            async with database.session(write=True) as session:
                await service.record_status_reports(session, [report(cid, 255)], rules=RULES)
                raise RuntimeError("crash before commit")

        with pytest.raises(RuntimeError):
            await crash_before_commit()
        async with database.session() as session:
            assert await count(session, StatusChange) == 0
            assert await count(session, ConnectorStatus) == 0
            assert await count(session, ChangeEvent) == events_before
        assert await pile_colour(database) == "unknown"


class TestColourRulesOverTime:
    async def test_sweep_turns_long_offline_yellow_and_long_fault_red(
        self, database: Database
    ) -> None:
        (offline,) = await new_pile(database)
        (faulted,) = await new_pile(database)
        await record(database, report(offline, 0), report(faulted, 255), now=T0)
        async with database.session() as session:
            colours = dict((await session.exec(select(Pile.id, Pile.colour))).all())
        assert sorted(colours.values()) == ["green", "yellow"]

        async with database.session(write=True) as session:
            changed = await service.sweep_colours(
                session, rules=RULES, now=T0 + timedelta(minutes=11)
            )
        assert changed == 1
        async with database.session(write=True) as session:
            changed = await service.sweep_colours(
                session, rules=RULES, now=T0 + timedelta(hours=25)
            )
        assert changed == 1
        async with database.session() as session:
            rows = (
                await session.exec(select(Pile.colour, Pile.colour_since).order_by(col(Pile.id)))
            ).all()
        assert rows == [("yellow", T0 + timedelta(minutes=10)), ("red", T0 + timedelta(hours=24))]

    async def test_recovery_turns_the_pile_green(self, database: Database) -> None:
        (cid,) = await new_pile(database)
        await record(database, report(cid, 255), report(cid, 1, minutes=30))
        assert await pile_colour(database) == "green"

    async def test_three_faults_in_a_week_are_red(self, database: Database) -> None:
        (cid,) = await new_pile(database)
        day = 24 * 60
        await record(
            database,
            report(cid, 255),
            report(cid, 1, minutes=60),
            report(cid, 255, minutes=day),
            report(cid, 1, minutes=day + 60),
            now=T0 + timedelta(days=2),
        )
        assert await pile_colour(database) == "green"
        await record(database, report(cid, 255, minutes=2 * day), now=T0 + timedelta(days=2))
        assert await pile_colour(database) == "red"

    async def test_worst_connector_colours_the_pile(self, database: Database) -> None:
        first, second = await new_pile(database, connectors=2)
        await record(database, report(first, 3), report(second, 255))
        assert await pile_colour(database) == "yellow"

    async def test_maintenance_flag_is_red_until_cleared(
        self, database: Database, settings: Settings
    ) -> None:
        (cid,) = await new_pile(database)
        await record(database, report(cid, 1))
        async with database.session() as session:
            pile_id = (await session.exec(select(Pile.id))).one()
        assert pile_id is not None
        principal = city_principal(settings.city_code)
        for flagged, expected in ((True, "red"), (False, "green")):
            async with database.session(write=True) as session:
                await service.set_maintenance(
                    session, principal, pile_id=pile_id, flagged=flagged, note="t", rules=RULES
                )
            assert await pile_colour(database) == expected


async def test_a_poll_that_agrees_does_not_redate_the_state(database: Database) -> None:
    (cid,) = await new_pile(database)
    await record(database, report(cid, 3))
    async with database.session(write=True) as session:
        (result,) = await service.record_status_reports(
            session, [report(cid, 3, minutes=60)], rules=RULES, polled=True
        )
    assert result.outcome is Outcome.UNCHANGED
    assert (await current(database, cid)).observed_at == T0
    # ... so the operator's own later push (stamped before the poll) still applies.
    assert await record(database, report(cid, 1, minutes=30)) == [Outcome.CHANGED]


async def poll(database: Database, *reports: StatusReport) -> list[Outcome]:
    async with database.session(write=True) as session:
        results = await service.record_status_reports(
            session, list(reports), rules=RULES, now=T0 + timedelta(hours=1), polled=True
        )
    return [r.outcome for r in results]


async def test_a_poll_corrects_a_state_without_outranking_later_pushes(
    database: Database,
) -> None:
    (cid,) = await new_pile(database)
    await record(database, report(cid, 255))  # operator time T0
    assert await poll(database, report(cid, 1, minutes=60)) == [Outcome.CHANGED]
    state = await current(database, cid)
    assert state.status == "available"
    assert state.since == T0 + timedelta(minutes=60)  # began at the latest at the poll
    # A push the operator stamped after its last known report, though before the poll,
    # is newer evidence than the poll and applies.
    assert await record(database, report(cid, 3, minutes=30)) == [Outcome.CHANGED]
    assert (await current(database, cid)).status == "charging"


async def test_a_state_first_learnt_by_polling_yields_to_any_push(database: Database) -> None:
    (cid,) = await new_pile(database)
    assert await poll(database, report(cid, 255, minutes=60)) == [Outcome.CHANGED]
    assert await pile_colour(database) == "yellow"
    assert await record(database, report(cid, 1)) == [Outcome.CHANGED]  # stamped before the poll
    assert (await current(database, cid)).status == "available"


async def test_a_colour_learnt_by_polling_dates_from_the_poll(database: Database) -> None:
    """A poll has only the hub's clock: a fault it reveals is yellow since the poll, and a
    push that ends it, stamped before the poll, is green since then (not before the yellow
    began, so the alert never resolves before it opened)."""
    (cid,) = await new_pile(database)
    await record(database, report(cid, 1))
    assert await poll(database, report(cid, 255, minutes=60)) == [Outcome.CHANGED]
    async with database.session() as session:
        pile = (await session.exec(select(Pile))).one()
    assert (pile.colour, pile.colour_since, pile.colour_cause) == (
        "yellow",
        T0 + timedelta(minutes=60),
        "fault",
    )
    assert await record(database, report(cid, 1, minutes=30)) == [Outcome.CHANGED]
    async with database.session() as session:
        pile = (await session.exec(select(Pile))).one()
        alert = (await session.exec(select(Alert))).one()
    assert (pile.colour, pile.colour_since) == ("green", T0 + timedelta(minutes=60))
    assert alert.opened_at == alert.resolved_at == T0 + timedelta(minutes=60)
