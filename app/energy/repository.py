"""SQL for energy rollups: additive upserts of deltas, and area aggregates for the API.

Aggregates are plain GROUP BY over integer columns (exact on both databases); months are
grouped in Python from days, because month extraction from a DATE differs between SQLite
(strftime) and PostgreSQL (date_trunc) while a day's key is the same on both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.core.db import execute, upsert_insert
from app.energy.periods import Share
from app.jurisdictions import repository as jurisdictions_repository
from app.models import ChargingSession, Connector, EnergyRollup, Jurisdiction, Pile

RollupKey = tuple[int, date, str]
"""(connector pk, local day, period)."""


async def apply_deltas(session: AsyncSession, deltas: Mapping[RollupKey, Share]) -> None:
    """Add each delta to its row (created at zero); one statement for the batch."""
    rows = [
        {
            "connector_pk": connector_pk,
            "local_date": day,
            "period": period,
            "energy_wh": share.energy_wh,
            "charging_seconds": share.charging_seconds,
            "sessions": share.sessions,
        }
        for (connector_pk, day, period), share in sorted(deltas.items())
        if not share.is_zero
    ]
    if not rows:
        return
    table = EnergyRollup.__table__  # type: ignore[attr-defined]
    statement = upsert_insert(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=["connector_pk", "local_date", "period"],
        set_={
            name: table.c[name] + statement.excluded[name]
            for name in ("energy_wh", "charging_seconds", "sessions")
        },
    )
    await execute(session, statement, rows)


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


def _group_column(prefix: int | None) -> Any:
    """What a row is grouped under: the pile id (None), or its jurisdiction's path cut to the
    group level's length (app/energy/groups.py)."""
    if prefix is None:
        return col(Pile.id)
    return sa.func.substr(col(Jurisdiction.path), 1, prefix)


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
    `area_path` inside the caller's area, days `first`..`last` inclusive."""
    group = _group_column(prefix).label("grp")
    statement = (
        sa.select(
            group,
            col(EnergyRollup.local_date),
            col(EnergyRollup.period),
            sa.func.sum(EnergyRollup.energy_wh).label("energy_wh"),
            sa.func.sum(EnergyRollup.charging_seconds).label("charging_seconds"),
            sa.func.sum(EnergyRollup.sessions).label("sessions"),
        )
        .join(Connector, col(Connector.id) == EnergyRollup.connector_pk)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
        .where(
            col(Pile.jurisdiction_id).in_(jurisdictions_repository.descendant_ids(principal)),
            col(Pile.jurisdiction_id).in_(jurisdictions_repository.in_subtree(area_path)),
            col(EnergyRollup.local_date) >= first,
            col(EnergyRollup.local_date) <= last,
        )
        .group_by(group, col(EnergyRollup.local_date), col(EnergyRollup.period))
    )
    result = await execute(session, statement)
    return result.all()


async def connector_day_totals(
    session: AsyncSession, principal: Principal, *, area_path: str, first: date, last: date
) -> Sequence[Any]:
    """(connector pk, local_date, period, energy_wh, charging_seconds, sessions) in the area."""
    statement = (
        sa.select(
            col(EnergyRollup.connector_pk), col(EnergyRollup.local_date),
            col(EnergyRollup.period), col(EnergyRollup.energy_wh),
            col(EnergyRollup.charging_seconds), col(EnergyRollup.sessions),
        )
        .join(Connector, col(Connector.id) == EnergyRollup.connector_pk)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .where(
            col(Pile.jurisdiction_id).in_(jurisdictions_repository.descendant_ids(principal)),
            col(Pile.jurisdiction_id).in_(jurisdictions_repository.in_subtree(area_path)),
            col(EnergyRollup.local_date) >= first,
            col(EnergyRollup.local_date) <= last,
        )
    )  # fmt: skip
    result = await execute(session, statement)
    return result.all()
