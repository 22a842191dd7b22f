"""SQL for energy rollups: additive upserts of deltas, and area aggregates for the API.

Aggregates are plain GROUP BY over integer columns (exact on both databases); months are
grouped in Python from days, because month extraction from a DATE differs between SQLite
(strftime) and PostgreSQL (date_trunc) while a day's key is the same on both. Areas read the
area rows (street or community level), piles the connector rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.core.db import execute, is_postgresql, unnest
from app.energy.periods import Share
from app.jurisdictions import repository as jurisdictions_repository
from app.jurisdictions.paths import subtree_bounds
from app.models import (
    ChargingSession,
    Connector,
    EnergyAreaRollup,
    EnergyRollup,
    Jurisdiction,
    Pile,
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
    # Rows in key order: concurrent writers lock shared rows in the same order (no deadlock).
    items = [(key, share) for key, share in sorted(deltas.items()) if not share.is_zero]
    if not items:
        return
    table = model.__table__
    if is_postgresql(session):
        # One statement over arrays: executemany cost a round per row (thousands a batch).
        columns = {
            name: (table.c[name].type, [key[i] for key, _ in items]) for i, name in enumerate(keys)
        } | {
            "energy_wh": (sa.BigInteger, [s.energy_wh for _, s in items]),
            "charging_seconds": (sa.BigInteger, [s.charging_seconds for _, s in items]),
            "sessions": (sa.Integer, [s.sessions for _, s in items]),
        }
        source = unnest(columns)
        statement = postgresql_insert(table).from_select(
            list(columns), sa.select(*(source.c[name] for name in columns))
        )
        await execute(session, _add_on_conflict(statement, table, keys))
        return
    names = (*keys, *_FIGURES)
    rows = [
        dict(zip(names, (*key, s.energy_wh, s.charging_seconds, s.sessions), strict=True))
        for key, s in items
    ]
    await execute(session, _sqlite_upsert(table, keys), rows)


def _add_on_conflict(statement: Any, table: Any, keys: tuple[str, ...]) -> Any:
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in _FIGURES},
    )


# Built once per table: constructing ON CONFLICT ... excluded costs more than executing it
# for a small batch, and a reused statement hits SQLAlchemy's compiled cache.
_SQLITE_UPSERTS: dict[str, Any] = {}


def _sqlite_upsert(table: Any, keys: tuple[str, ...]) -> Any:
    cached = _SQLITE_UPSERTS.get(table.name)
    if cached is None:
        cached = _SQLITE_UPSERTS[table.name] = _add_on_conflict(sqlite_insert(table), table, keys)
    return cached


async def connector_paths(session: AsyncSession, connector_pks: Iterable[int]) -> dict[int, str]:
    """Connector pk -> the path of its pile's jurisdiction."""
    wanted = set(connector_pks)
    if not wanted:
        return {}
    statement = (
        sa.select(col(Connector.id), col(Jurisdiction.path))
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
    )
    if is_postgresql(session):
        # One array, not an IN list of thousands of parameters (a generated day has 27,000).
        ids = unnest({"id": (sa.Integer, sorted(wanted))})
        result = await execute(session, statement.join(ids, col(Connector.id) == ids.c.id))
    else:
        result = await execute(
            session,
            statement.where(col(Connector.id).in_(sa.bindparam("ids", expanding=True))),
            {"ids": sorted(wanted)},
        )
    return {row.id: row.path for row in result.all()}


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
    group = sa.func.substr(col(EnergyAreaRollup.area_path), 1, prefix).label("grp")
    own_low, own_high = subtree_bounds(principal.area_path)
    low, high = subtree_bounds(area_path)
    statement = (
        sa.select(
            group, col(EnergyAreaRollup.local_date), col(EnergyAreaRollup.period),
            sa.func.sum(EnergyAreaRollup.energy_wh).label("energy_wh"),
            sa.func.sum(EnergyAreaRollup.charging_seconds).label("charging_seconds"),
            sa.func.sum(EnergyAreaRollup.sessions).label("sessions"),
        )
        .where(
            col(EnergyAreaRollup.level_len) == level,
            col(EnergyAreaRollup.area_path) >= own_low, col(EnergyAreaRollup.area_path) < own_high,
            col(EnergyAreaRollup.area_path) >= low, col(EnergyAreaRollup.area_path) < high,
            col(EnergyAreaRollup.local_date) >= first, col(EnergyAreaRollup.local_date) <= last,
        )
        .group_by(group, col(EnergyAreaRollup.local_date), col(EnergyAreaRollup.period))
    )  # fmt: skip
    result = await execute(session, statement)
    return result.all()


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
            col(Pile.jurisdiction_id).in_(jurisdictions_repository.descendant_ids(principal)),
            col(Pile.jurisdiction_id).in_(jurisdictions_repository.in_subtree(area_path)),
            col(EnergyRollup.local_date) >= first, col(EnergyRollup.local_date) <= last,
        )
        .group_by(group, col(EnergyRollup.local_date), col(EnergyRollup.period))
    )  # fmt: skip
    result = await execute(session, statement)
    return result.all()
