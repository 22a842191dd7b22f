"""Async engine and sessions for SQLite (embedded default) and PostgreSQL (production).

A session is one unit of work: the request or the job. Services flush, never commit;
`session_scope` and the request dependency commit on success and roll back on error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from asyncpg.exceptions import (
    AdminShutdownError,
    CannotConnectNowError,
    ConnectionDoesNotExistError,
    PostgresConnectionError,
    TooManyConnectionsError,
)
from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Result, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as SAAsyncSession
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel.ext.asyncio.session import AsyncSession

# On SQLite a writer must take the write lock when it begins: a deferred transaction that
# later upgrades to a writer fails at once with SQLITE_BUSY instead of waiting.
_SQLITE_BEGIN_OPTION = "pilehub_sqlite_begin"


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (SAVEPOINT support).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_SQLITE_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def json_text(value: Any) -> str:
    """A JSON document as text, by orjson (the engines' JSON serializer)."""
    return orjson.dumps(value).decode()


# JSON columns (event payloads, audit parameters) go through orjson: every status batch
# writes an event per change, and the standard library's encoder was a tenth of that cost.
_JSON_CODEC: dict[str, Any] = {"json_serializer": json_text, "json_deserializer": orjson.loads}


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, **_JSON_CODEC)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
        # Fail fast while the server is down or restarting: a request waits at most this long
        # for a connection (from the pool, or a new one), then answers 503 / Ret -1.
        pool_timeout=UNAVAILABLE_AFTER_SECONDS,
        connect_args={"timeout": UNAVAILABLE_AFTER_SECONDS},
        **_JSON_CODEC,
    )


UNAVAILABLE_AFTER_SECONDS = 2.0
# SQLite's words for "cannot now", not "you asked for something wrong".
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "disk i/o error",
    "database or disk is full",
    "readonly database",
    "unable to open database file",
)


# asyncpg's: the connection failed or was lost, or the server is starting or stopping or full.
_POSTGRES_UNAVAILABLE = (
    PostgresConnectionError,
    ConnectionDoesNotExistError,
    CannotConnectNowError,
    AdminShutdownError,
    TooManyConnectionsError,
)


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached or written now (down, restarting,
    out of connections, locked, full, read-only): the caller should retry later, and nothing
    was stored. False for errors of the request or the code."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (sa_exc.TimeoutError, ConnectionError, TimeoutError)):
            return True
        if isinstance(current, sa_exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, _POSTGRES_UNAVAILABLE):
            return True
        if isinstance(current, sa_exc.OperationalError) and any(
            words in str(current.orig).lower() for words in _SQLITE_UNAVAILABLE
        ):
            return True
        original = getattr(current, "orig", None)
        current = (
            original
            if isinstance(original, BaseException)
            else (current.__cause__ or current.__context__)
        )
    return False


class Database:
    """The engine plus a reader and a writer session factory."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        write_bind = (
            self.engine.execution_options(**{_SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            if self.is_sqlite
            else self.engine
        )
        self._readers = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self._writers = async_sessionmaker(write_bind, class_=AsyncSession, expire_on_commit=False)
        self._log_listeners: list[Callable[[], None]] = []

    def on_log_commit(self, listener: Callable[[], None]) -> None:
        """Call `listener` after each commit of this process that appended to the change log
        (see `mark_log_written`): readers of the log in this process need not wait to poll."""
        self._log_listeners.append(listener)

    @asynccontextmanager
    async def session(self, *, write: bool = False) -> AsyncIterator[AsyncSession]:
        factory = self._writers if write else self._readers
        async with factory() as session:
            try:
                yield session
                # A session that ran nothing has nothing to commit; committing would still
                # BEGIN (on SQLite writers, IMMEDIATE: the write lock) and COMMIT.
                if session.in_transaction():
                    await session.commit()
                    if session.info.pop(_LOG_WRITTEN, False):
                        for listener in self._log_listeners:
                            listener()
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()


_LOG_WRITTEN = "pilehub.log_written"


def mark_log_written(session: AsyncSession) -> None:
    """This transaction appends to the change log: tell this process's readers at commit."""
    session.info[_LOG_WRITTEN] = True


def upsert_insert(session: AsyncSession, table: Any) -> Any:
    """The dialect's INSERT that supports ON CONFLICT (both have the same API)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)


async def execute(session: AsyncSession, statement: Any, params: Any = None) -> Result[Any]:
    """Core statements (bulk INSERT/UPDATE, raw SQL, column rows) on a SQLModel session.

    SQLModel deprecates `session.execute` in favour of `exec` for ORM selects; Core
    statements and executemany still need SQLAlchemy's own method.
    """
    result: Result[Any] = await SAAsyncSession.execute(session, statement, params)
    return result


async def core_rows(session: AsyncSession, statement: Any, params: Any = None) -> Sequence[Any]:
    """A Core SELECT's rows, run on the session's connection: without the ORM session's
    result handling, which a batch's lookups of thousands of rows felt."""
    connection = await session.connection()
    result = await connection.execute(statement, params)
    return result.all()


def is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def refresh_statistics(session: AsyncSession, tables: Sequence[str]) -> None:
    """ANALYZE tables a bulk load just grew (PostgreSQL; SQLite's plans for the batch
    lookups do not depend on statistics). A fresh table's statistics say it is nearly
    empty, and the planner then filters a batch's keys against every stored row instead of
    looking them up in the unique index: quadratic. Measured: a city's registry slowed to a
    crawl near 50,000 connectors, sessions took seconds per batch of 500 at 100,000 stored,
    and a status pull of 2,000 connectors spent 46 ms instead of 6 in reading them."""
    if not is_postgresql(session):
        return
    for table in tables:
        await execute(session, text(f"ANALYZE {table}"))


def unnest(columns: Mapping[str, Any]) -> Any:
    """PostgreSQL: parallel arrays as a table, `{name: element type}` -> a table-valued
    `unnest(...)` with those column names; bind the arrays with `unnest_params`.

    A batch's rows become one array parameter per column, so the statement text and its
    prepared plan are the same whatever the batch size (and the statement can be built once),
    and PostgreSQL joins or inserts them as one set: no executemany round per row, no
    7,000-parameter VALUES list, and no `col IN ($1 .. $500)` that a generic plan checks
    row by row.
    """
    arrays = [
        sa.bindparam(f"unnest_{name}", type_=ARRAY(element)) for name, element in columns.items()
    ]
    return sa.func.unnest(*arrays).table_valued(*columns).render_derived()


def unnest_params(columns: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """The parameters of an `unnest` table: `{name: values}`, all of the same length."""
    return {f"unnest_{name}": list(values) for name, values in columns.items()}


_KEY_ROWS = "key_rows"


def key_table(columns: Mapping[str, Any], dialect: str) -> Any:
    """A batch's keys as a table, `{name: type}` -> a FROM clause with those columns, bound
    as one parameter however many keys (fill it with `key_params`); join it to look the keys
    up. One per statement.

    PostgreSQL: `unnest` of one array per column (above). SQLite: `json_each` over one JSON
    array of rows (of values when there is one column). Either way the statement text is the
    same for any number of keys and SQLAlchemy binds one value, where an expanding IN binds
    and processes every key (a generated day looks up 27,000 connectors) and renders a new
    statement for each batch size; and a join matches exact key tuples, where two IN lists
    match their cross product. Keys are integers, strings or dates (JSON has no datetimes).
    """
    if dialect == "postgresql":
        return unnest(columns)
    rows = sa.func.json_each(sa.bindparam(_KEY_ROWS, type_=sa.Text)).table_valued("value")
    if len(columns) == 1:
        ((name, element),) = columns.items()
        values = [sa.type_coerce(rows.c.value, element).label(name)]
    else:
        # `->>` gives the element's SQL value (integer, text), as the columns store them.
        values = [
            sa.type_coerce(rows.c.value.op("->>")(sa.literal_column(str(index))), element).label(
                name
            )
            for index, (name, element) in enumerate(columns.items())
        ]
    return sa.select(*values).select_from(rows).subquery()


def key_params(columns: Mapping[str, Sequence[Any]], dialect: str) -> dict[str, Any]:
    """The parameters of a `key_table`: `{name: values}`, all of the same length, in the
    table's column order."""
    if dialect == "postgresql":
        return unnest_params(columns)
    values = list(columns.values())
    rows = list(values[0]) if len(values) == 1 else list(zip(*values, strict=True))
    return {_KEY_ROWS: json_text(rows)}
