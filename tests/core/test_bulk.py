"""Bulk writes (app/core/bulk.py) and UTCDateTime, on both databases.

The bulk path bypasses SQLAlchemy's per-row processing, so what it stores must be exactly what
the ordinary path stores: the same text for datetimes on SQLite (queries compare it), the same
instants on PostgreSQL, JSON documents, booleans, and ids in list order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.bulk import insert_rows
from app.core.columns import UTCDateTime
from app.core.db import Database, execute, key_params, key_table
from app.core.time import LOCAL_TZ

pytestmark = pytest.mark.asyncio

METADATA = sa.MetaData()
SCRATCH = sa.Table(
    "bulk_scratch",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(20), nullable=False, unique=True),
    sa.Column("at", UTCDateTime, nullable=True),
    sa.Column("flag", sa.Boolean, nullable=False),
    sa.Column("payload", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True),
)
MOMENT = datetime(2026, 11, 27, 4, 5, 6, 789, tzinfo=UTC)


@pytest_asyncio.fixture
async def scratch(database: Database) -> AsyncIterator[Database]:
    async with database.engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    try:
        yield database
    finally:
        async with database.engine.begin() as connection:
            await connection.run_sync(METADATA.drop_all)


Writing = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@pytest.fixture(params=["as the first statement", "after a read"])
def writing(request: pytest.FixtureRequest, scratch: Database) -> Writing:
    """Write sessions in which insert_rows runs first, or after a read. On PostgreSQL a
    plain insert after a read joins the open transaction with a COPY; as the first
    statement it takes the `unnest` path. Both must store the same."""

    @asynccontextmanager
    async def session() -> AsyncIterator[AsyncSession]:
        async with scratch.session(write=True) as opened:
            if request.param == "after a read":
                await execute(opened, sa.select(sa.literal(1)))
                if not scratch.is_sqlite:  # the COPY path's condition holds
                    connection = await opened.connection()
                    raw = await connection.get_raw_connection()
                    assert raw.driver_connection.is_in_transaction()  # type: ignore[union-attr]
            yield opened

    return session


def row(key: str, at: datetime | None, **extra: Any) -> dict[str, Any]:
    return {"key": key, "at": at, "flag": True, "payload": {"k": key, "n": [1, 2]}} | extra


async def stored(database: Database) -> list[tuple[Any, ...]]:
    async with database.session() as session:
        result = await execute(session, sa.select(SCRATCH).order_by(SCRATCH.c.id))
        return [tuple(r) for r in result.all()]


async def test_rows_come_back_as_written_with_ids_in_list_order(
    scratch: Database, writing: Writing
) -> None:
    rows = [row(f"k{n:03d}", MOMENT + timedelta(seconds=n)) for n in range(250)]
    rows[7]["at"], rows[9]["flag"], rows[11]["payload"] = None, False, None
    async with writing() as session:
        await insert_rows(session, SCRATCH, rows)
    back = await stored(scratch)
    assert [r[1] for r in back] == [r["key"] for r in rows]  # id order is list order
    assert [r[0] for r in back] == sorted(r[0] for r in back)
    assert back[0][2:] == (MOMENT, True, {"k": "k000", "n": [1, 2]})
    assert back[0][2].tzinfo is UTC
    assert back[7][2] is None
    assert back[9][3] is False
    assert back[11][4] is None


async def test_datetimes_are_stored_as_the_ordinary_path_stores_them(
    scratch: Database, writing: Writing
) -> None:
    shanghai = MOMENT.astimezone(LOCAL_TZ)  # another offset, the same instant
    async with writing() as session:
        await execute(session, SCRATCH.insert(), [row("ordinary", shanghai)])
        await insert_rows(session, SCRATCH, [row("bulk", shanghai)])
        whole = MOMENT.replace(microsecond=0)  # six digits of microseconds even when zero
        await execute(session, SCRATCH.insert(), [row("ordinary0", whole)])
        await insert_rows(session, SCRATCH, [row("bulk0", whole)])
        texts = await execute(
            session, sa.select(SCRATCH.c.key, sa.cast(SCRATCH.c.at, sa.Text)).order_by("id")
        )
        pairs: list[Any] = list(texts.all())
        as_text = dict(pairs)
    assert as_text["bulk"] == as_text["ordinary"]
    assert as_text["bulk0"] == as_text["ordinary0"]
    if scratch.is_sqlite:
        assert as_text["bulk"] == "2026-11-27 04:05:06.000789"
        assert as_text["bulk0"] == "2026-11-27 04:05:06.000000"
    async with scratch.session() as session:  # and queries compare them as instants
        later = await execute(
            session, sa.select(SCRATCH.c.key).where(SCRATCH.c.at > MOMENT - timedelta(0, 0, 1))
        )
        assert sorted(later.scalars().all()) == ["bulk", "ordinary"]
    assert {r[2] for r in await stored(scratch)} == {MOMENT, whole}


async def test_upsert_updates_the_other_columns_of_a_conflicting_row(
    scratch: Database, writing: Writing
) -> None:
    async with writing() as session:
        await insert_rows(session, SCRATCH, [row("a", MOMENT), row("b", MOMENT)])
    async with writing() as session:
        newer = MOMENT + timedelta(hours=1)
        changed = [row("b", newer, flag=False, payload={"v": 2}), row("c", newer)]
        await insert_rows(session, SCRATCH, changed, upsert_on=("key",))
    back = {r[1]: r[2:] for r in await stored(scratch)}
    assert back == {
        "a": (MOMENT, True, {"k": "a", "n": [1, 2]}),
        "b": (MOMENT + timedelta(hours=1), False, {"v": 2}),
        "c": (MOMENT + timedelta(hours=1), True, {"k": "c", "n": [1, 2]}),
    }


async def test_a_conflict_without_upsert_fails_and_writes_nothing(
    scratch: Database, writing: Writing
) -> None:
    async with writing() as session:
        await insert_rows(session, SCRATCH, [row("a", MOMENT)])
    with pytest.raises(sa.exc.IntegrityError):
        async with writing() as session:
            await insert_rows(session, SCRATCH, [row("z", MOMENT), row("a", MOMENT)])
    assert [r[1] for r in await stored(scratch)] == ["a"]


async def test_rows_with_different_columns_are_refused(scratch: Database, writing: Writing) -> None:
    fewer = {"key": "b", "flag": True}
    renamed = {
        ("other" if name == "flag" else name): value for name, value in row("c", MOMENT).items()
    }
    for odd in (fewer, renamed):
        with pytest.raises(ValueError, match="same columns"):
            async with writing() as session:
                await insert_rows(session, SCRATCH, [row("a", MOMENT), odd])
    assert await stored(scratch) == []


async def test_key_table_of_one_column_selects_exactly_the_keys_given(scratch: Database) -> None:
    async with scratch.session(write=True) as session:
        await insert_rows(session, SCRATCH, [row(f"k{n}", MOMENT) for n in range(10)])
    wanted = ["k1", "k3", "k9", "missing", 'it\'s "quoted"']
    async with scratch.session() as session:
        dialect = session.get_bind().dialect.name
        keys = key_table({"key": sa.String}, dialect)
        result = await execute(
            session,
            sa.select(SCRATCH.c.key).join(keys, SCRATCH.c.key == keys.c.key),
            key_params({"key": wanted}, dialect),
        )
        assert sorted(result.scalars().all()) == ["k1", "k3", "k9"]


async def test_key_table_matches_whole_tuples_not_their_cross_product(scratch: Database) -> None:
    rows = [row(f"k{n}", MOMENT, flag=n % 2 == 0) for n in range(6)]
    async with scratch.session(write=True) as session:
        await insert_rows(session, SCRATCH, rows)
    # (k0, true) and (k1, false) exist; (k0, false) and (k1, true) would match as IN lists.
    wanted = [("k0", True), ("k1", False), ("k0", False), ("k1", True), ("k7", True)]
    async with scratch.session() as session:
        dialect = session.get_bind().dialect.name
        keys = key_table({"key": sa.String, "flag": sa.Boolean, "day": sa.Date}, dialect)
        result = await execute(
            session,
            sa.select(SCRATCH.c.key, keys.c.day).join(
                keys, (SCRATCH.c.key == keys.c.key) & (SCRATCH.c.flag == keys.c.flag)
            ),
            key_params(
                {
                    "key": [key for key, _ in wanted],
                    "flag": [flag for _, flag in wanted],
                    "day": [date(2026, 11, n + 1) for n in range(len(wanted))],
                },
                dialect,
            ),
        )
        # The selected key column comes back with its type (a date, not text).
        assert sorted(tuple(r) for r in result.all()) == [
            ("k0", date(2026, 11, 1)),
            ("k1", date(2026, 11, 2)),
        ]


async def test_utc_datetime_reads_back_aware_utc_from_any_offset(scratch: Database) -> None:
    shanghai = datetime(2026, 1, 1, 8, 0, tzinfo=LOCAL_TZ)
    async with scratch.session(write=True) as session:
        await execute(session, SCRATCH.insert(), [row("x", shanghai)])
    async with scratch.session() as session:
        at = (await execute(session, sa.select(SCRATCH.c.at))).scalar_one()
    assert at == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert at.tzinfo is UTC
