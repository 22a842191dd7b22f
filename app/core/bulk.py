"""Bulk inserts and upserts without SQLAlchemy's work per row.

An executemany through SQLAlchemy costs a parameter set per row, and every column of every
row goes through its type's bind processing: for a status pull that was more time than the
database spent storing the rows. Here each backend gets the rows the cheapest way it takes:

* SQLite: the driver's own executemany (a C loop) over plain tuples, with datetimes written
  as text exactly as `UTCDateTime` writes them (queries compare that text).
* PostgreSQL, plain inserts: a binary COPY in the session's transaction (asyncpg's
  `copy_records_to_table`). A status pull measured 5 µs per row and table through the
  `unnest` arrays below, most of it encoding the arrays element by element on the client;
  COPY costs a quarter of that, and the server stores COPY rows faster too.
* PostgreSQL, upserts (and an insert that would open the transaction itself): one array per
  column, expanded by `unnest` (`app.core.db.unnest`, as the session and rollup upserts
  do): one statement and one round trip whatever the number of rows. JSON columns travel
  as text and are cast back.

Rows are stored in list order, so ids follow it. Values are what the columns store: numbers,
strings, booleans, None, dicts or lists for JSON columns, and aware datetimes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.columns import to_sqlite_text
from app.core.db import execute, json_text, unnest, unnest_params

_SQLITE = sqlite.dialect()
# asyncpg's error classes (by SQLSTATE class) as the SQLAlchemy exceptions callers catch.
_SQLALCHEMY_ERRORS: dict[type[BaseException], type[sa.exc.DBAPIError]] = {
    asyncpg.IntegrityConstraintViolationError: sa.exc.IntegrityError,
    asyncpg.DataError: sa.exc.DataError,
}


def _on_conflict(statement: Any, columns: tuple[str, ...], conflict: tuple[str, ...]) -> Any:
    if not conflict:
        return statement
    updates = {name: statement.excluded[name] for name in columns if name not in conflict}
    return statement.on_conflict_do_update(index_elements=list(conflict), set_=updates)


@cache
def _sqlite_statement(
    table: sa.Table, columns: tuple[str, ...], conflict: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """The INSERT's SQL text with `?` placeholders, and the column of each placeholder."""
    values: dict[str, Any] = {name: sa.bindparam(name) for name in columns}
    statement = _on_conflict(sqlite.insert(table).values(values), columns, conflict)
    compiled = statement.compile(dialect=_SQLITE)
    return compiled.string, tuple(compiled.positiontup or ())


@cache
def _postgresql_statement(
    table: sa.Table, columns: tuple[str, ...], conflict: tuple[str, ...]
) -> Any:
    """INSERT INTO table (columns) SELECT ... FROM unnest(<an array per column>)."""
    types = {name: _column_type(table.c[name]) for name in columns}
    source = unnest({name: sa.Text if _is_json(t) else t for name, t in types.items()})
    values = [sa.cast(source.c[n], t) if _is_json(t) else source.c[n] for n, t in types.items()]
    # unnest returns the arrays' elements in order, and a plain INSERT ... SELECT takes ids
    # from the sequence in that order.
    return _on_conflict(
        postgresql.insert(table).from_select(list(columns), sa.select(*values)), columns, conflict
    )


def _postgresql_params(
    table: sa.Table, rows: Sequence[dict[str, Any]], columns: tuple[str, ...]
) -> dict[str, list[Any]]:
    return unnest_params(
        {
            name: [_json_text(row[name]) for row in rows]
            if _is_json(table.c[name].type)
            else [row[name] for row in rows]
            for name in columns
        }
    )


def _column_type(column: sa.Column[Any]) -> sa.types.TypeEngine[Any]:
    # A foreign key declared without a type takes its target's type (resolved at DDL time).
    if isinstance(column.type, sa.types.NullType) and column.foreign_keys:
        return next(iter(column.foreign_keys)).column.type
    return column.type


def _sqlite_datetimes() -> Callable[[datetime | None], str | None]:
    """`to_sqlite_text`, remembered: a batch's rows share most of their datetimes."""
    texts: dict[datetime | None, str | None] = {}

    def convert(value: datetime | None) -> str | None:
        text = texts.get(value)
        if text is None:
            text = texts[value] = to_sqlite_text(value)
        return text

    return convert


def _json_text(value: Any) -> str | None:
    return None if value is None else json_text(value)


def _sqlite_rows(
    table: sa.Table, rows: Sequence[dict[str, Any]], order: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """The rows as the driver's parameters: values in placeholder order; datetime and JSON
    columns (known from the table, not guessed from values) converted to their stored text."""
    datetimes = _sqlite_datetimes()
    return _tuples(
        rows,
        order,
        {
            index: datetimes if _is_datetime(column_type) else _json_text
            for index, column_type in enumerate(table.c[name].type for name in order)
            if _is_datetime(column_type) or _is_json(column_type)
        },
    )


def _as_sqlalchemy_error(error: asyncpg.PostgresError, statement: str) -> sa.exc.DBAPIError:
    """The exception SQLAlchemy would have raised, so callers catch one kind either way."""
    kind = next(
        (ours for theirs, ours in _SQLALCHEMY_ERRORS.items() if isinstance(error, theirs)),
        sa.exc.DatabaseError,
    )
    return kind(statement, None, error)


def _copy_records(
    table: sa.Table, rows: Sequence[dict[str, Any]], columns: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """The rows as COPY records: values in column order, JSON columns as JSON text (COPY
    bypasses the column types; asyncpg takes aware datetimes, and naive ones as UTC)."""
    return _tuples(
        rows,
        columns,
        {i: _json_text for i, name in enumerate(columns) if _is_json(table.c[name].type)},
    )


def _tuples(
    rows: Sequence[dict[str, Any]],
    order: tuple[str, ...],
    converters: dict[int, Callable[[Any], Any]],
) -> list[tuple[Any, ...]]:
    """Each row's values in `order`, the value at each converter's index converted."""
    if len(order) == 1:
        convert = converters.get(0)
        name = order[0]
        return [(convert(row[name]) if convert else row[name],) for row in rows]
    pick = itemgetter(*order)
    if not converters:
        return [pick(row) for row in rows]
    converted = []
    for row in rows:
        values = list(pick(row))
        for index, convert in converters.items():
            values[index] = convert(values[index])
        converted.append(tuple(values))
    return converted


@cache
def _is_datetime(column_type: sa.types.TypeEngine[Any]) -> bool:
    return isinstance(column_type, sa.DateTime) or (
        isinstance(column_type, sa.types.TypeDecorator)
        and isinstance(column_type.impl, sa.DateTime)
    )


@cache
def _is_json(column_type: sa.types.TypeEngine[Any]) -> bool:
    return isinstance(column_type, sa.JSON)


async def insert_rows(
    session: AsyncSession,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    *,
    upsert_on: tuple[str, ...] = (),
) -> None:
    """Insert `rows` (dicts with the same keys) in one statement; with `upsert_on` (the
    columns of a unique key), rows that conflict update the existing row's other columns."""
    if not rows:
        return
    columns = tuple(rows[0])
    # Rows of one length that all have the first row's keys have its keys: a length check
    # here and a KeyError from picking the columns cost a fraction of comparing key sets.
    if any(len(row) != len(columns) for row in rows):
        raise _mixed_columns(table)
    try:
        await _insert(session, table, rows, columns, upsert_on)
    except KeyError as error:
        raise _mixed_columns(table) from error


def _mixed_columns(table: sa.Table) -> ValueError:
    return ValueError(f"bulk rows for {table.name} must all have the same columns")


async def _insert(
    session: AsyncSession,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    columns: tuple[str, ...],
    upsert_on: tuple[str, ...],
) -> None:
    if session.get_bind().dialect.name == "sqlite":
        sql, order = _sqlite_statement(table, columns, upsert_on)
        connection = await session.connection()
        await connection.exec_driver_sql(sql, _sqlite_rows(table, rows, order))
        return
    connection = await session.connection()
    driver: Any = (await connection.get_raw_connection()).driver_connection
    # COPY goes straight to the driver, so it must join a transaction SQLAlchemy has begun;
    # a batch's first statement (its reads) begins it.
    if not upsert_on and driver.is_in_transaction():
        records = _copy_records(table, rows, columns)
        try:
            await driver.copy_records_to_table(table.name, records=records, columns=columns)
        except asyncpg.PostgresError as error:
            raise _as_sqlalchemy_error(error, f"COPY {table.name}") from error
        return
    statement = _postgresql_statement(table, columns, upsert_on)
    await execute(session, statement, _postgresql_params(table, rows, columns))
