"""SQL for connector status: current rows, history, and the inputs of the colour rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam, func, insert, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.db import execute, upsert_insert
from app.models import (
    Connector,
    ConnectorStatus,
    Jurisdiction,
    Operator,
    Pile,
    StatusChange,
)
from app.status.codes import ConnectorState


async def connector_keys(
    session: AsyncSession, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, int]]:
    """(OperatorID, ConnectorID) -> (connector pk, pile pk), in one query for a batch."""
    result = await session.exec(
        select(Operator.operator_id, Connector.connector_id, col(Connector.id), Connector.pile_pk)
        .join(Operator, col(Operator.id) == Connector.operator_pk)
        .where(
            col(Operator.operator_id).in_({operator_id for operator_id, _ in wanted}),
            col(Connector.connector_id).in_({connector_id for _, connector_id in wanted}),
        )
    )
    return {
        (operator_id, cid): (pk, pile)
        for operator_id, cid, pk, pile in result.all()
        if pk is not None and (operator_id, cid) in wanted
    }


async def current(session: AsyncSession, connector_pks: Iterable[int]) -> dict[int, Any]:
    """Current status rows (plain rows, not ORM objects: they are upserted in bulk)."""
    result = await execute(
        session,
        select(ConnectorStatus.__table__).where(  # type: ignore[attr-defined]
            col(ConnectorStatus.connector_pk).in_(set(connector_pks))
        ),
    )
    return {row.connector_pk: row for row in result.all()}


async def history_keys(
    session: AsyncSession, rows: list[dict[str, Any]]
) -> set[tuple[int, datetime, str]]:
    """Which of these (connector, operator time, status) rows history already holds."""
    result = await session.exec(
        select(StatusChange.connector_pk, StatusChange.observed_at, StatusChange.status).where(
            col(StatusChange.connector_pk).in_({row["connector_pk"] for row in rows}),
            col(StatusChange.observed_at).in_({row["observed_at"] for row in rows}),
        )
    )
    return set(result.all())


async def insert_history(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await execute(session, insert(StatusChange), rows)


async def upsert_current(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    statement = upsert_insert(session, ConnectorStatus)
    statement = statement.on_conflict_do_update(
        index_elements=["connector_pk"],
        set_={
            name: statement.excluded[name]
            for name in ("status", "raw_code", "observed_at", "received_at", "since", "source")
        },
    )
    await execute(session, statement, rows)


async def piles_for_colour(session: AsyncSession, pile_pks: Iterable[int]) -> Sequence[Any]:
    """Rows of (pile, community path) for the piles whose colour is being derived."""
    result = await execute(
        session,
        sa.select(
            col(Pile.id),
            col(Pile.equipment_id),
            col(Pile.colour),
            col(Pile.colour_since),
            col(Pile.maintenance),
            col(Jurisdiction.path),
            col(Jurisdiction.code),
        )
        .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
        .where(col(Pile.id).in_(set(pile_pks))),
    )
    return result.all()


async def connector_states(
    session: AsyncSession, pile_pks: Iterable[int]
) -> Sequence[tuple[int, str, datetime]]:
    """(pile pk, state, since) of every connector that has reported, for the given piles."""
    result = await session.exec(
        select(Connector.pile_pk, ConnectorStatus.status, ConnectorStatus.since)
        .join(ConnectorStatus, col(ConnectorStatus.connector_pk) == Connector.id)
        .where(col(Connector.pile_pk).in_(set(pile_pks)))
    )
    return result.all()


async def fault_counts(
    session: AsyncSession, pile_pks: Iterable[int], since: datetime
) -> dict[int, int]:
    """Faults that began on each pile since `since` (applied changes into `faulted`)."""
    result = await session.exec(
        select(Connector.pile_pk, func.count())
        .join(StatusChange, col(StatusChange.connector_pk) == Connector.id)
        .where(
            col(Connector.pile_pk).in_(set(pile_pks)),
            StatusChange.status == ConnectorState.FAULTED.value,
            col(StatusChange.applied).is_(True),
            col(StatusChange.observed_at) >= since,
        )
        .group_by(col(Connector.pile_pk))
    )
    return dict(result.all())


async def set_pile_colours(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Bulk update of {pile_pk, colour, since} rows (one executemany)."""
    if not rows:
        return
    table = Pile.__table__  # type: ignore[attr-defined]
    statement = (
        update(table)
        .where(table.c.id == bindparam("pile_pk"))
        .values(colour=bindparam("colour"), colour_since=bindparam("since"))
    )
    await execute(session, statement, rows)


async def piles_with_time_rules(session: AsyncSession) -> list[int]:
    """Piles whose colour can change with time alone: offline or faulted connectors,
    or a colour that is not green any more."""
    by_status = (
        select(Connector.pile_pk)
        .join(ConnectorStatus, col(ConnectorStatus.connector_pk) == Connector.id)
        .where(
            col(ConnectorStatus.status).in_(
                [ConnectorState.OFFLINE.value, ConnectorState.FAULTED.value]
            )
        )
    )
    by_colour = select(col(Pile.id)).where(col(Pile.colour).in_(["yellow", "red"]))
    result = await execute(session, by_status.union(by_colour))
    return [row[0] for row in result.all()]


async def history_page(
    session: AsyncSession, connector_pk: int, *, before_id: int | None, limit: int
) -> Sequence[StatusChange]:
    statement = select(StatusChange).where(StatusChange.connector_pk == connector_pk)
    if before_id is not None:
        statement = statement.where(col(StatusChange.id) < before_id)
    result = await session.exec(statement.order_by(col(StatusChange.id).desc()).limit(limit))
    return result.all()
