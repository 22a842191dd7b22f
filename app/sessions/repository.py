"""SQL for charging sessions: registry lookups for a batch, stored orders, bulk upsert.

Every function is one statement whatever the batch size, so a batch of orders costs the
same number of round trips as a single one.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import visibility
from app.auth.principal import Principal
from app.core.bulk import insert_rows
from app.core.db import core_rows, execute, json_text, key_params, key_table, unnest, unnest_params
from app.core.time import LOCAL_TZ
from app.models import ChargingSession, Connector, Jurisdiction, Pile, Station

SessionKey = tuple[int, str]
"""(operator pk, StartChargeSeq): the identity of a charge order."""

# Written on a correction; received_at stays the time the order was first received.
_CORRECTABLE = (
    "connector_pk",
    "start_at",
    "end_at",
    "energy_wh",
    "elec_money_fen",
    "service_money_fen",
    "total_money_fen",
    "stop_reason",
    "details",
    "updated_at",
)


_TABLE = ChargingSession.__table__  # type: ignore[attr-defined]
_KEY = ("operator_pk", "start_charge_seq")


@dataclass(frozen=True, slots=True)
class ConnectorInfo:
    connector_pk: int
    pile_pk: int
    power_kw: float
    # The path of the pile's community: where the session's events belong.
    area_path: str


async def connectors(
    session: AsyncSession, keys: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], ConnectorInfo]:
    """(operator pk, ConnectorID) -> the connector, its pile, power and community path."""
    wanted = set(keys)
    if not wanted:
        return {}
    dialect = session.get_bind().dialect.name
    rows = await core_rows(session, _connectors_statement(dialect), _pair_params(dialect, wanted))
    return {
        (operator_pk, connector_id): ConnectorInfo(pk, pile_pk, power_kw, path)
        for operator_pk, connector_id, pk, pile_pk, power_kw, path in rows
    }


# Lookups of a batch's (operator pk, id) pairs: the pairs as a table (`key_table`: unnest
# on PostgreSQL, a JSON array on SQLite) joined to the unique index. On PostgreSQL, two IN
# lists of parameters under a generic plan filtered every stored row of the operator against
# each of a batch's 500 keys in turn (0.9 s per batch at 17,000 sessions, growing). Built
# once per dialect.


@functools.cache
def _connectors_statement(dialect: str) -> Any:
    statement = (
        sa.select(
            col(Connector.operator_pk),
            col(Connector.connector_id),
            col(Connector.id),
            col(Connector.pile_pk),
            col(Connector.power_kw),
            col(Jurisdiction.path),
        )
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
    )
    return _pairs_in(dialect, statement, col(Connector.operator_pk), col(Connector.connector_id))


@functools.cache
def _stored_statement(dialect: str) -> Any:
    return _pairs_in(dialect, sa.select(_TABLE), _TABLE.c.operator_pk, _TABLE.c.start_charge_seq)


def _pairs_in(dialect: str, statement: Any, operator: Any, key: Any) -> Any:
    pairs = key_table({"operator_pk": sa.BigInteger, "key": sa.String}, dialect)
    return statement.join(pairs, (operator == pairs.c.operator_pk) & (key == pairs.c.key))


def _pair_params(dialect: str, pairs: set[tuple[int, str]]) -> dict[str, Any]:
    return key_params({"operator_pk": [o for o, _ in pairs], "key": [k for _, k in pairs]}, dialect)


async def lock_keys(session: AsyncSession, keys: Iterable[SessionKey]) -> None:
    """Serialise writers of the same orders until the transaction ends (PostgreSQL advisory
    locks, taken in key order so two batches cannot deadlock; on SQLite a writer already
    holds the database's write lock)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    numbers = sorted({_lock_number(key) for key in keys})
    if numbers:
        await execute(
            session,
            sa.text("SELECT pg_advisory_xact_lock(k) FROM unnest(CAST(:keys AS bigint[])) AS k"),
            {"keys": numbers},
        )


def _lock_number(key: SessionKey) -> int:
    operator_pk, seq = key
    digest = hashlib.blake2b(f"session:{operator_pk}:{seq}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


async def stored(session: AsyncSession, keys: Iterable[SessionKey]) -> dict[SessionKey, Any]:
    """The stored sessions for these keys, as plain rows (they are compared, then upserted)."""
    wanted = set(keys)
    if not wanted:
        return {}
    dialect = session.get_bind().dialect.name
    rows = await core_rows(session, _stored_statement(dialect), _pair_params(dialect, wanted))
    return {(row.operator_pk, row.start_charge_seq): row for row in rows}


async def upsert(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> dict[SessionKey, int]:
    """Insert new sessions and overwrite corrected ones; returns each key's session id.

    Rows are the sessions as they are to be stored: a correction carries the stored
    received_at (SQLite writes every column; PostgreSQL only the correctable ones). At most
    one row per key: PostgreSQL refuses to touch a row twice in one statement.
    """
    if not rows:
        return {}
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # The driver's executemany over tuples (app.core.bulk): SQLAlchemy's processing of
        # every value of every row (four datetimes and a JSON document per session) cost
        # more than SQLite's writes. It returns no rows, so the ids are read back by key.
        await insert_rows(session, _TABLE, rows, upsert_on=_KEY)
        keys = {(row["operator_pk"], row["start_charge_seq"]) for row in rows}
        result = await execute(session, _ids_statement(dialect), _pair_params(dialect, keys))
    else:
        names = tuple(rows[0])
        params = unnest_params(
            {
                name: [json_text(row[name]) for row in rows]
                if name == "details"
                else [row[name] for row in rows]
                for name in names
            }
        )
        result = await execute(session, _upsert_statement(names), params)
    return {(row.operator_pk, row.start_charge_seq): row.id for row in result.all()}


@functools.cache
def _ids_statement(dialect: str) -> Any:
    return _pairs_in(
        dialect,
        sa.select(_TABLE.c.id, _TABLE.c.operator_pk, _TABLE.c.start_charge_seq),
        _TABLE.c.operator_pk,
        _TABLE.c.start_charge_seq,
    )


@functools.cache
def _upsert_statement(names: tuple[str, ...]) -> Any:
    """PostgreSQL: INSERT ... SELECT from unnest over `names` (details travel as JSON text)
    ON CONFLICT (operator, seq) DO UPDATE the correctable columns, RETURNING the ids."""
    source = unnest({n: sa.Text if n == "details" else _TABLE.c[n].type for n in names})
    statement = postgresql_insert(_TABLE).from_select(
        list(names),
        sa.select(*(sa.cast(source.c[n], JSONB) if n == "details" else source.c[n] for n in names)),
    )
    return statement.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={name: statement.excluded[name] for name in _CORRECTABLE},
    ).returning(_TABLE.c.id, _TABLE.c.operator_pk, _TABLE.c.start_charge_seq)


async def station_day_energy(
    session: AsyncSession, operator_pk: int, station_id: str, day: date
) -> int:
    """Sum of energy_wh of the station's sessions that started on `day` (Asia/Shanghai)."""
    start = datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
    end = start + timedelta(days=1)
    result = await session.exec(
        select(func.coalesce(func.sum(ChargingSession.energy_wh), 0))
        .join(Connector, col(Connector.id) == ChargingSession.connector_pk)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .join(Station, col(Station.id) == Pile.station_pk)
        .where(
            Station.operator_pk == operator_pk,
            Station.station_id == station_id,
            col(ChargingSession.start_at) >= start,
            col(ChargingSession.start_at) < end,
        )
    )
    return int(result.one())


async def list_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    area_path: str,
    started_from: datetime | None,
    started_before: datetime | None,
    after_id: int | None,
    limit: int,
) -> Sequence[Any]:
    """Sessions on piles in `area_path` (inside the principal's area), in id order, with the
    pile and community they belong to."""
    statement: Any = (
        select(
            ChargingSession,
            col(Connector.connector_id).label("operator_connector_id"),
            col(Pile.id).label("pile_id"),
            col(Jurisdiction.code).label("community"),
        )
        .join(Connector, col(Connector.id) == ChargingSession.connector_pk)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
        .where(
            col(Pile.jurisdiction_id).in_(visibility.visible_jurisdiction_ids(principal)),
            col(Pile.jurisdiction_id).in_(visibility.jurisdiction_ids_within(area_path)),
        )
        .order_by(col(ChargingSession.id))
        .limit(limit)
    )
    if started_from is not None:
        statement = statement.where(col(ChargingSession.start_at) >= started_from)
    if started_before is not None:
        statement = statement.where(col(ChargingSession.start_at) < started_before)
    if after_id is not None:
        statement = statement.where(col(ChargingSession.id) > after_id)
    result = await session.exec(statement)
    rows: Sequence[Any] = result.all()
    return rows
