"""Charging-session semantics on real databases: outcomes, idempotency, the change log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import Database
from app.models import ChangeEvent, ChargingSession, Jurisdiction
from app.operators import service as operators_service
from app.piles import service as piles_service
from app.piles.schemas import ConnectorRecord, EquipmentRecord, StationRecord
from app.sessions import service
from app.sessions.errors import ChargeOrderRejected
from app.sessions.schemas import ChargeDetail, ChargeOrderRecord, SessionOutcome, SessionResult
from tests.fixtures.factories import create_hierarchy, create_pile
from tests.sessions.helpers import HALF, NOW, T0, order

pytestmark = pytest.mark.asyncio

COMMUNITY = "310105011001"
OTHER_OPERATOR = "MA01H3BQ2"


async def count(session: AsyncSession, model: type[SQLModel]) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


async def counts(database: Database) -> tuple[int, int]:
    """(charging sessions, change events of any kind)."""
    async with database.session() as session:
        return await count(session, ChargingSession), await count(session, ChangeEvent)


async def record(
    database: Database, *orders: ChargeOrderRecord, now: datetime = NOW
) -> list[SessionResult]:
    async with database.session(write=True) as session:
        return await service.record_charge_orders(session, list(orders), now=now)


async def outcomes(database: Database, *orders: ChargeOrderRecord) -> list[SessionOutcome]:
    return [result.outcome for result in await record(database, *orders)]


async def new_pile(database: Database, connectors: int = 1) -> list[str]:
    async with database.session(write=True) as session:
        return await create_pile(session, connectors=connectors)


async def stored(database: Database, session_id: int | None) -> ChargingSession:
    async with database.session() as session:
        return (
            await session.exec(select(ChargingSession).where(ChargingSession.id == session_id))
        ).one()


async def session_events(database: Database) -> list[ChangeEvent]:
    async with database.session() as session:
        rows = await session.exec(
            select(ChangeEvent)
            .where(ChangeEvent.kind == "session.recorded")
            .order_by(col(ChangeEvent.id))
        )
        return list(rows.all())


class TestRecordChargeOrders:
    async def test_new_order_creates_a_session_and_one_event(self, database: Database) -> None:
        (cid,) = await new_pile(database)
        (result,) = await record(database, order(cid))
        assert result.outcome is SessionOutcome.CREATED
        assert result.reason is None
        row = await stored(database, result.session_id)
        assert (row.start_charge_seq, row.start_at, row.end_at) == ("S1", T0, T0 + 2 * HALF)
        assert (row.energy_wh, row.stop_reason) == (5000, 0)
        assert (row.elec_money_fen, row.service_money_fen, row.total_money_fen) == (350, 100, 450)
        assert row.received_at == NOW - timedelta(minutes=1)
        assert row.updated_at == NOW
        async with database.session() as session:
            path = (
                await session.exec(select(Jurisdiction.path).where(Jurisdiction.code == COMMUNITY))
            ).one()
        (logged,) = await session_events(database)
        assert logged.subject == f"session:{result.session_id}"
        assert logged.area_path == path
        assert logged.occurred_at == NOW
        assert logged.payload == {
            "session_id": result.session_id,
            "outcome": "created",
            "connector_id": row.connector_pk,
            "pile_id": logged.payload["pile_id"],
            "energy_wh": 5000,
            "start_at": T0.isoformat(),
            "end_at": (T0 + 2 * HALF).isoformat(),
        }

    async def test_identical_redelivery_is_a_duplicate_and_writes_nothing(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        (first,) = await record(database, order(cid))
        before = await counts(database)
        (again,) = await record(database, order(cid, received_at=NOW), now=NOW + HALF)
        assert again.outcome is SessionOutcome.DUPLICATE
        assert again.session_id == first.session_id
        assert await counts(database) == before
        assert (await stored(database, first.session_id)).updated_at == NOW

    async def test_details_listed_in_another_order_are_the_same_order(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        original = order(cid)
        await record(database, original)
        shuffled = original.model_copy(update={"details": original.details[::-1]})
        assert await outcomes(database, shuffled) == [SessionOutcome.DUPLICATE]

    async def test_correction_overwrites_the_session_and_logs_it(self, database: Database) -> None:
        cid, other = await new_pile(database, connectors=2)
        (first,) = await record(database, order(cid))
        corrected = order(other, energy_wh=5200, total_money_fen=470, details=[])
        (result,) = await record(database, corrected, now=NOW + HALF)
        assert result.outcome is SessionOutcome.UPDATED
        assert result.session_id == first.session_id
        row = await stored(database, first.session_id)
        assert (row.energy_wh, row.total_money_fen, row.details) == (5200, 470, [])
        # The first receipt is kept; the correction shows in updated_at.
        assert row.received_at == NOW - timedelta(minutes=1)
        assert row.updated_at == NOW + HALF
        assert (await counts(database))[0] == 1
        created, updated = await session_events(database)
        assert updated.payload["outcome"] == "updated"
        assert updated.payload["energy_wh"] == 5200
        assert updated.payload["connector_id"] == row.connector_pk
        assert updated.payload["connector_id"] != created.payload["connector_id"]

    async def test_the_same_seq_of_another_operator_is_another_session(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        other_cid = await other_operator_connector(database)
        results = await record(database, order(cid), order(other_cid, operator_id=OTHER_OPERATOR))
        assert [r.outcome for r in results] == [SessionOutcome.CREATED] * 2
        assert results[0].session_id != results[1].session_id

    @pytest.mark.parametrize(
        ("overrides", "reason"),
        [
            ({"operator_id": "XXXXXXXXX"}, "unknown operator XXXXXXXXX"),
            ({"connector_id": "NOPE"}, "unknown connector NOPE"),
            ({"end_at": T0 - timedelta(seconds=1)}, "end before start"),
            ({"end_at": NOW + timedelta(minutes=11)}, "end in the future"),
            ({"total_money_fen": -1}, "negative money"),
            ({"energy_wh": 9000}, "energy 9000 Wh above the connector's plausible 8200 Wh"),
            ({"energy_wh": 5200}, "charge details sum to 5000 Wh, the order says 5200 Wh"),
        ],
    )
    async def test_a_rejected_order_raises_and_stores_nothing(
        self, database: Database, overrides: dict[str, Any], reason: str
    ) -> None:
        (cid,) = await new_pile(database)
        bad = order(**({"connector_id": cid} | overrides))
        before = await counts(database)
        with pytest.raises(ChargeOrderRejected) as raised:
            async with database.session(write=True) as session:
                await service.record_charge_order(session, bad, now=NOW)
        assert raised.value.detail == reason
        assert raised.value.code == "charge-order-rejected"
        assert raised.value.status == 400
        assert raised.value.extensions == {"reason": reason}
        assert await counts(database) == before
        (result,) = await record(database, bad)
        assert (result.outcome, result.reason, result.session_id) == (
            SessionOutcome.REJECTED,
            reason,
            None,
        )
        assert await counts(database) == before

    async def test_a_rejected_correction_leaves_the_stored_session_alone(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        (first,) = await record(database, order(cid))
        before = await counts(database)
        (result,) = await record(database, order(cid, energy_wh=-5))
        assert result.outcome is SessionOutcome.REJECTED
        assert await counts(database) == before
        assert (await stored(database, first.session_id)).energy_wh == 5000

    async def test_single_order_returns_its_result(self, database: Database) -> None:
        (cid,) = await new_pile(database)
        async with database.session(write=True) as session:
            result = await service.record_charge_order(session, order(cid), now=NOW)
        assert result.outcome is SessionOutcome.CREATED
        assert result.session_id is not None

    async def test_bad_orders_do_not_spoil_the_rest_of_their_batch(
        self, database: Database
    ) -> None:
        first, second = await new_pile(database, connectors=2)
        results = await record(
            database,
            order(first, "A"),
            order("NOPE", "X"),
            order(second, "B"),
            order(first, "A"),  # re-delivered within the batch
            order(second, "B", energy_wh=4990),  # corrected within the batch
            order(second, "C", energy_wh=-1),
        )
        assert [(r.outcome, r.reason) for r in results] == [
            (SessionOutcome.CREATED, None),
            (SessionOutcome.REJECTED, "unknown connector NOPE"),
            (SessionOutcome.CREATED, None),
            (SessionOutcome.DUPLICATE, None),
            (SessionOutcome.UPDATED, None),
            (SessionOutcome.REJECTED, "negative energy"),
        ]
        assert results[0].session_id == results[3].session_id
        assert results[2].session_id == results[4].session_id
        assert (await stored(database, results[2].session_id)).energy_wh == 4990
        assert (await counts(database))[0] == 2
        logged = [(e.subject, e.payload["outcome"]) for e in await session_events(database)]
        assert logged == [
            (f"session:{results[0].session_id}", "created"),
            (f"session:{results[2].session_id}", "created"),
            (f"session:{results[2].session_id}", "updated"),
        ]

    async def test_a_redelivered_batch_is_all_duplicates(self, database: Database) -> None:
        first, second = await new_pile(database, connectors=2)
        batch = [order(first, "A"), order(second, "B"), order(first, "C", start_at=T0 + HALF)]
        batch[2] = batch[2].model_copy(update={"details": [], "energy_wh": 3000})
        created = await record(database, *batch)
        assert [r.outcome for r in created] == [SessionOutcome.CREATED] * 3
        before = await counts(database)
        again = await record(database, *batch, now=NOW + timedelta(hours=1))
        assert [r.outcome for r in again] == [SessionOutcome.DUPLICATE] * 3
        assert [r.session_id for r in again] == [r.session_id for r in created]
        assert before[0] == 3
        assert await counts(database) == before

    async def test_session_and_event_commit_together_or_not_at_all(
        self, database: Database
    ) -> None:
        (cid,) = await new_pile(database)
        before = await counts(database)

        async def crash_before_commit() -> None:
            async with database.session(write=True) as session:
                results = await service.record_charge_orders(session, [order(cid)], now=NOW)
                assert results[0].outcome is SessionOutcome.CREATED
                raise RuntimeError("crash before commit")

        with pytest.raises(RuntimeError):
            await crash_before_commit()
        assert await counts(database) == before
        # Nothing half-written: the order is new again afterwards.
        assert await outcomes(database, order(cid)) == [SessionOutcome.CREATED]

    async def test_events_carry_no_money_and_no_order_id(self, database: Database) -> None:
        (cid,) = await new_pile(database)
        seq = "MA002TMQX2026110108000001"
        await record(database, order(cid, seq))
        await record(database, order(cid, seq, total_money_fen=460, service_money_fen=110))
        for logged in await session_events(database):
            keys = set(_keys(logged.payload))
            assert not {key for key in keys if "money" in key or "price" in key}
            assert not keys & {"details", "start_charge_seq", "stop_reason"}
            assert seq not in repr(logged.payload)
            assert seq not in logged.subject

    async def test_details_round_trip_in_utc(self, database: Database) -> None:
        (cid,) = await new_pile(database)
        shanghai = timezone(timedelta(hours=8))
        sent = order(cid)
        local = sent.model_copy(
            update={
                "details": [
                    ChargeDetail.model_validate(
                        d.model_dump()
                        | {"start": d.start.astimezone(shanghai), "end": d.end.astimezone(shanghai)}
                    )
                    for d in sent.details
                ]
            }
        )
        (result,) = await record(database, local)
        row = await stored(database, result.session_id)
        assert row.start_at.tzinfo is not None
        assert row.start_at.utcoffset() == timedelta(0)
        assert row.details[0]["start"] == "2026-11-01T08:00:00+00:00"
        assert all(
            d["start"].endswith("+00:00") and d["end"].endswith("+00:00") for d in row.details
        )
        assert [ChargeDetail.model_validate(d) for d in row.details] == sent.details
        assert row.details[0]["elec_price"] == 0.8
        assert row.details[1]["elec_money_fen"] == 150

    async def test_a_batch_costs_the_same_statements_whatever_its_size(
        self, database: Database
    ) -> None:
        connector_ids = await new_pile(database, connectors=8)
        small = [order(connector_ids[0], "S0")]
        large = [order(cid, f"L{n}") for n, cid in enumerate(connector_ids)]
        with statements(database) as seen_small:
            await record(database, *small)
        with statements(database) as seen_large:
            await record(database, *large)
        assert len(seen_small) == len(seen_large)


async def other_operator_connector(database: Database) -> str:
    """A connector of a second operator, in the same community."""
    connector_id = f"310105{OTHER_OPERATOR}000101"
    async with database.session(write=True) as session:
        await create_hierarchy(session)
        await operators_service.ensure_operator(session, operator_id=OTHER_OPERATOR, name="特来电")
        await piles_service.register_station(
            session,
            StationRecord(
                operator_id=OTHER_OPERATOR,
                station_id=f"310105{OTHER_OPERATOR}0001",
                name="other operator station",
                jurisdiction_code=COMMUNITY,
                area_code="310105",
                equipment=[
                    EquipmentRecord(
                        equipment_id=f"310105{OTHER_OPERATOR}00010",
                        power_kw=7.0,
                        connectors=[ConnectorRecord(connector_id=connector_id, power_kw=7.0)],
                    )
                ],
            ),
        )
    return connector_id


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements the database runs inside the block."""
    seen: list[str] = []

    def on_execute(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)
