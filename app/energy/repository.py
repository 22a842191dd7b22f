"""SQL for energy rollups: additive upserts of deltas, and area aggregates for the API.

Aggregates are plain GROUP BY over integer columns (exact on both databases); months are
grouped in Python from days, because month extraction from a DATE differs between SQLite
(strftime) and PostgreSQL (date_trunc) while a day's key is the same on both. Areas read the
area rows (street or community level), piles the connector rows.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import visibility
from app.auth.principal import Principal
from app.core.db import execute, key_params, key_table, unnest, unnest_params
from app.energy.periods import Share
from app.models import (
    ChargingSession,
    Connector,
    EnergyAreaRollup,
    EnergyRollup,
    Jurisdiction,
    Pile,
    StatusChange,
)

RollupKey = tuple[int, date, str]
"""(connector pk, local day, period)."""
AreaKey = tuple[int, str, date, str]
"""(level length, area path, local day, period)."""
_FIGURES = ("energy_wh", "charging_seconds", "sessions")


async def apply_deltas(session: AsyncSession, deltas: Mapping[RollupKey, Share]) -> None:
    """Add each delta to its connector row (created at zero); one statement for the batch."""
    await _add(session, EnergyRollup, ("connector_pk", "local_date", "period"), deltas)


async def apply_area_deltas(session: AsyncSession, deltas: Mapping[AreaKey, Share]) -> None:
    """Add each delta to its area row (created at zero); one statement for the batch."""
    keys = ("level_len", "area_path", "local_date", "period")
    await _add(session, EnergyAreaRollup, keys, deltas)


async def _add(
    session: AsyncSession, model: Any, keys: tuple[str, ...], deltas: Mapping[Any, Share]
) -> None:
    items = [(key, share) for key, share in deltas.items() if not share.is_zero]
    if not items:
        return
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        # One statement over arrays: executemany cost a round per row (thousands a batch).
        columns = {name: [key[i] for key, _ in items] for i, name in enumerate(keys)}
        columns["energy_wh"] = [s.energy_wh for _, s in items]
        columns["charging_seconds"] = [s.charging_seconds for _, s in items]
        columns["sessions"] = [s.sessions for _, s in items]
        await execute(session, _postgresql_upsert(table, keys), unnest_params(columns))
        return
    # The driver's executemany over tuples (a C loop): through SQLAlchemy, the processing of
    # every value of every row took longer than SQLite's upserts. Days are stored as the
    # DATE column writes them, ISO text.
    day = keys.index("local_date")
    rows = [
        (
            *key[:day],
            key[day].isoformat(),
            *key[day + 1 :],
            s.energy_wh,
            s.charging_seconds,
            s.sessions,
        )
        for key, s in items
    ]
    rows.sort()
    connection = await session.connection()
    await connection.exec_driver_sql(_sqlite_upsert(table, keys), rows)


def _add_figures(statement: Any, table: Any, keys: tuple[str, ...]) -> Any:
    """ON CONFLICT (keys) DO UPDATE SET figure = figure + excluded.figure."""
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in _FIGURES},
    )


# The statements are built once per table (constructing one cost more than running it for a
# small batch).


@functools.cache
def _postgresql_upsert(table: Any, keys: tuple[str, ...]) -> Any:
    """The rows come from unnest, in key order: concurrent writers then lock shared rows in
    the same order and cannot deadlock (the server sorts faster than Python did)."""
    names = (*keys, *_FIGURES)
    source = unnest({name: table.c[name].type for name in names})
    rows = sa.select(*(source.c[name] for name in names)).order_by(
        *(source.c[name] for name in keys)
    )
    return _add_figures(postgresql_insert(table).from_select(list(names), rows), table, keys)


@functools.cache
def _sqlite_upsert(table: Any, keys: tuple[str, ...]) -> str:
    """The SQL text with a `?` per column, keys then figures. SQLite has one writer at a
    time, so its rows go in any order."""
    names = (*keys, *_FIGURES)
    statement = sqlite_insert(table).values({name: sa.bindparam(name) for name in names})
    compiled = _add_figures(statement, table, keys).compile(dialect=sqlite.dialect())
    if tuple(compiled.positiontup or ()) != names:
        raise RuntimeError(f"unexpected parameter order {compiled.positiontup}")
    return str(compiled.string)


async def connector_paths(session: AsyncSession, connector_pks: Iterable[int]) -> dict[int, str]:
    """Connector pk -> the path of its pile's jurisdiction."""
    wanted = sorted(set(connector_pks))
    if not wanted:
        return {}
    dialect = session.get_bind().dialect.name
    result = await execute(session, _paths_statement(dialect), key_params({"id": wanted}, dialect))
    return {row.id: row.path for row in result.all()}


@functools.cache
def _paths_statement(dialect: str) -> Any:
    ids = key_table({"id": sa.Integer}, dialect)
    return (
        sa.select(col(Connector.id), col(Jurisdiction.path))
        .join(ids, col(Connector.id) == ids.c.id)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
    )


async def all_area_rollups(session: AsyncSession) -> dict[AreaKey, Share]:
    """Every non-empty area rollup row (for the property test)."""
    table = EnergyAreaRollup.__table__  # type: ignore[attr-defined]
    result = await execute(session, sa.select(table))
    return {
        (row.level_len, row.area_path, row.local_date, row.period): Share(
            row.energy_wh, row.charging_seconds, row.sessions
        )
        for row in result.all()
        if row.energy_wh or row.charging_seconds or row.sessions
    }


async def all_rollups(session: AsyncSession) -> dict[RollupKey, Share]:
    """Every non-empty rollup row (for rebuilds and the property test)."""
    table = EnergyRollup.__table__  # type: ignore[attr-defined]
    result = await execute(session, sa.select(table))
    return {
        (row.connector_pk, row.local_date, row.period): Share(
            row.energy_wh, row.charging_seconds, row.sessions
        )
        for row in result.all()
        if row.energy_wh or row.charging_seconds or row.sessions
    }


async def session_pages(session: AsyncSession, *, after_id: int, limit: int) -> Sequence[Any]:
    """Sessions in id order (the fields a contribution needs), a page at a time."""
    table = ChargingSession.__table__  # type: ignore[attr-defined]
    result = await execute(
        session,
        sa.select(
            table.c.id, table.c.connector_pk, table.c.start_at, table.c.end_at,
            table.c.energy_wh, table.c.details,
        )
        .where(table.c.id > after_id)
        .order_by(table.c.id)
        .limit(limit),
    )  # fmt: skip
    return result.all()


async def delete_all(session: AsyncSession) -> None:
    await execute(session, sa.delete(EnergyRollup))
    await execute(session, sa.delete(EnergyAreaRollup))


# Area rows are kept at the street and the community level (EnergyAreaRollup).
STREET_LEVEL, COMMUNITY_LEVEL = 24, 37


async def daily_totals(
    session: AsyncSession,
    principal: Principal,
    *,
    area_path: str,
    first: date,
    last: date,
    prefix: int | None,
) -> Sequence[Any]:
    """(group, local_date, period, energy_wh, charging_seconds, sessions) for piles in
    `area_path` inside the caller's area, days `first`..`last` inclusive; the group is the
    pile id (`prefix` None) or the path cut to `prefix` characters."""
    if prefix is None:
        return await _pile_totals(session, principal, area_path, first, last)
    level = COMMUNITY_LEVEL if prefix >= COMMUNITY_LEVEL else STREET_LEVEL
    rollup = EnergyAreaRollup.__table__  # type: ignore[attr-defined]
    group = sa.func.substr(rollup.c.area_path, 1, prefix).label("grp")
    statement = (
        sa.select(
            group, rollup.c.local_date, rollup.c.period,
            sa.func.sum(rollup.c.energy_wh).label("energy_wh"),
            sa.func.sum(rollup.c.charging_seconds).label("charging_seconds"),
            sa.func.sum(rollup.c.sessions).label("sessions"),
        )
        .where(rollup.c.local_date >= first, rollup.c.local_date <= last)
        .group_by(group, rollup.c.local_date, rollup.c.period)
    )  # fmt: skip
    areas_of = (principal.area_path, area_path)  # the caller's area and the asked one
    if session.get_bind().dialect.name == "postgresql":
        # Each area of the subtree that can own rows at this level (a row's path is the
        # pile's path cut to the level: a node at or above it) looked up in the key with its
        # days. A range of paths alone reads every day of every area to keep the few asked
        # (a month of a city's street rows over a year: 146,000 entries for 12,000 rows;
        # 61 ms, a parallel scan of the table, against 34 ms this way). SQLite's planner
        # reads the range either way, and faster without the join.
        path = col(Jurisdiction.path)
        areas = (
            sa.select(path.label("path"))
            .where(*_within_all(path, areas_of), sa.func.length(path) <= level)
            .subquery()
        )
        statement = statement.select_from(areas).join(
            rollup, (rollup.c.level_len == level) & (rollup.c.area_path == areas.c.path)
        )
    else:
        statement = statement.where(
            rollup.c.level_len == level, *_within_all(rollup.c.area_path, areas_of)
        )
    result = await execute(session, statement)
    return result.all()


def _within_all(column: Any, area_paths: Iterable[str]) -> list[Any]:
    return [visibility.within(column, area_path) for area_path in area_paths]


async def _pile_totals(
    session: AsyncSession, principal: Principal, area_path: str, first: date, last: date
) -> Sequence[Any]:
    group: Any = col(Pile.id).label("grp")
    statement = (
        sa.select(
            group, col(EnergyRollup.local_date), col(EnergyRollup.period),
            sa.func.sum(EnergyRollup.energy_wh).label("energy_wh"),
            sa.func.sum(EnergyRollup.charging_seconds).label("charging_seconds"),
            sa.func.sum(EnergyRollup.sessions).label("sessions"),
        )
        .join(Connector, col(Connector.id) == EnergyRollup.connector_pk)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .where(
            col(Pile.jurisdiction_id).in_(visibility.visible_jurisdiction_ids(principal)),
            col(Pile.jurisdiction_id).in_(visibility.jurisdiction_ids_within(area_path)),
            col(EnergyRollup.local_date) >= first, col(EnergyRollup.local_date) <= last,
        )
        .group_by(group, col(EnergyRollup.local_date), col(EnergyRollup.period))
    )  # fmt: skip
    result = await execute(session, statement)
    return result.all()


async def first_reports(
    session: AsyncSession, principal: Principal, area_path: str, prefix: int | None,
    before: datetime,
) -> Sequence[Any]:  # fmt: skip
    """(group, first_at) for every connector of `area_path` in the caller's area: first_at is
    the operator time of its first applied status report before `before` (None: none), the
    group as in `daily_totals`. One index probe per connector (connector_pk, observed_at)."""
    first_at = (
        sa.select(col(StatusChange.observed_at))
        .where(col(StatusChange.connector_pk) == Connector.id,
               col(StatusChange.applied).is_(True), col(StatusChange.observed_at) < before)
        .order_by(col(StatusChange.observed_at))
        .limit(1)
        .scalar_subquery()
    )  # fmt: skip
    group: Any = (
        col(Pile.id) if prefix is None else sa.func.substr(col(Jurisdiction.path), 1, prefix)
    )
    result = await execute(
        session,
        sa.select(group.label("grp"), first_at.label("first_at"))
        .select_from(Connector)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
        .where(
            col(Pile.jurisdiction_id).in_(visibility.visible_jurisdiction_ids(principal)),
            col(Pile.jurisdiction_id).in_(visibility.jurisdiction_ids_within(area_path)),
        ),
    )  # fmt: skip
    return result.all()
