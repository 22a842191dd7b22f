"""SQL for connector status: current rows, history, and the inputs of the colour rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.bulk import insert_rows
from app.core.db import core_rows, execute, key_params, key_table
from app.models import (
    Connector,
    ConnectorStatus,
    Jurisdiction,
    Operator,
    Pile,
    StatusChange,
)
from app.models.states import ConnectorState

# The statements of a status batch are built once: building a SQLAlchemy expression costs
# more than running it, and a batch runs them for every few pushes.
_STATUS = ConnectorStatus.__table__  # type: ignore[attr-defined]
_PILE = Pile.__table__  # type: ignore[attr-defined]
_CURRENT_COLUMNS = ("status", "raw_code", "observed_at", "received_at", "since", "source")


def _known_connectors(dialect: str) -> Any:
    """Keys, area and current status of the connectors named in a `key_table` (one
    parameter however many, where an expanding IN costs SQLAlchemy a bind per value)."""
    connector_ids = key_table({"connector_id": sa.String}, dialect)
    return (
        sa.select(
            col(Operator.operator_id),
            col(Connector.connector_id),
            col(Connector.id),
            col(Connector.pile_pk),
            col(Jurisdiction.path),
            *(_STATUS.c[name] for name in _CURRENT_COLUMNS),
        )
        .join(Operator, col(Operator.id) == Connector.operator_pk)
        .join(_PILE, _PILE.c.id == Connector.pile_pk)
        .join(Jurisdiction, col(Jurisdiction.id) == _PILE.c.jurisdiction_id)
        .outerjoin(_STATUS, _STATUS.c.connector_pk == Connector.id)
        .where(
            col(Operator.operator_id).in_(bindparam("operators", expanding=True)),
            col(Connector.connector_id).in_(sa.select(connector_ids.c.connector_id)),
        )
    )


_KNOWN_CONNECTORS = {dialect: _known_connectors(dialect) for dialect in ("sqlite", "postgresql")}

# The operator times of the applied fault reports of some piles within a range: the
# repeated-fault rule counts them back from the instant each pile is judged at.
_FAULTS = (
    sa.select(col(Connector.pile_pk), col(StatusChange.observed_at))
    .join(StatusChange, col(StatusChange.connector_pk) == Connector.id)
    .where(
        col(Connector.pile_pk).in_(bindparam("piles", expanding=True)),
        col(StatusChange.status) == ConnectorState.FAULTED.value,
        col(StatusChange.applied).is_(True),
        col(StatusChange.observed_at) >= bindparam("faults_from"),
        col(StatusChange.observed_at) <= bindparam("faults_until"),
    )
)
_COLOUR_INPUTS = (
    sa.select(
        col(Pile.id),
        col(Pile.equipment_id),
        col(Pile.colour),
        col(Pile.colour_since),
        col(Pile.colour_cause),
        col(Pile.maintenance),
        col(Jurisdiction.path),
        col(Jurisdiction.code),
        col(ConnectorStatus.status),
        col(ConnectorStatus.since),
    )
    .join(Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id)
    .outerjoin(Connector, col(Connector.pile_pk) == Pile.id)
    .outerjoin(ConnectorStatus, col(ConnectorStatus.connector_pk) == Connector.id)
    .where(col(Pile.id).in_(bindparam("piles", expanding=True)))
)

_HISTORY = StatusChange.__table__  # type: ignore[attr-defined]

_SET_PILE_COLOURS = (
    update(_PILE)
    .where(_PILE.c.id == bindparam("pile_pk"))
    .values(
        colour=bindparam("colour"), colour_since=bindparam("since"), colour_cause=bindparam("cause")
    )
)


@dataclass(frozen=True, slots=True)
class KnownConnector:
    connector_pk: int
    pile_pk: int
    area_path: str  # of the pile's community, for its events
    # (status, raw_code, observed_at, received_at, since, source); None if it never reported
    current: tuple[Any, ...] | None


async def known_connectors(
    session: AsyncSession, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], KnownConnector]:
    """(OperatorID, ConnectorID) -> keys and current status, in one query for a batch."""
    dialect = session.get_bind().dialect.name
    rows = await core_rows(  # Core rows: a batch reads thousands
        session,
        _KNOWN_CONNECTORS[dialect],
        {
            "operators": list({operator_id for operator_id, _ in wanted}),
            **key_params(
                {"connector_id": list({connector_id for _, connector_id in wanted})}, dialect
            ),
        },
    )
    known: dict[tuple[str, str], KnownConnector] = {}
    for row in rows:
        key = (row[0], row[1])
        if key in wanted:
            current = tuple(row[5:]) if row[5] is not None else None
            known[key] = KnownConnector(row[2], row[3], row[4], current)
    return known


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
    await insert_rows(session, _HISTORY, rows)


async def upsert_current(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    await insert_rows(session, _STATUS, rows, upsert_on=("connector_pk",))


@dataclass(slots=True)
class PileColourInputs:
    """What the colour rules need about one pile, and where it sits (for its events)."""

    id: int
    equipment_id: str
    colour: str
    colour_since: datetime
    colour_cause: str | None
    maintenance: bool
    path: str
    code: str
    connectors: list[tuple[str, datetime]] = field(default_factory=list)  # (state, since)
    # Operator times of its applied fault reports within the range asked for, oldest first
    # (only for piles with a faulted connector: the only ones the repeated rule can colour).
    faults: list[datetime] = field(default_factory=list)


async def colour_inputs(
    session: AsyncSession,
    pile_pks: Iterable[int],
    *,
    faults_from: datetime,
    faults_until: datetime,
) -> list[PileColourInputs]:
    """The given piles with their community, reported connector states and, for piles with a
    faulted connector, their fault times within [faults_from, faults_until]: one query (a row
    per connector) for a batch whatever its size, and one more when a pile has a fault."""
    wanted = list(set(pile_pks))
    if not wanted:
        return []
    result = await execute(session, _COLOUR_INPUTS, {"piles": wanted})
    piles: dict[int, PileColourInputs] = {}
    for row in result.all():
        pile = piles.get(row.id)
        if pile is None:
            pile = piles[row.id] = PileColourInputs(
                row.id, row.equipment_id, row.colour, row.colour_since, row.colour_cause,
                row.maintenance, row.path, row.code,
            )  # fmt: skip
        if row.status is not None:
            pile.connectors.append((row.status, row.since))
    faulted = [
        pile.id
        for pile in piles.values()
        if any(state == ConnectorState.FAULTED.value for state, _ in pile.connectors)
    ]
    if faulted:
        params = {"piles": faulted, "faults_from": faults_from, "faults_until": faults_until}
        for row in (await execute(session, _FAULTS, params)).all():
            piles[row.pile_pk].faults.append(row.observed_at)
        for pile_pk in faulted:
            piles[pile_pk].faults.sort()
    return list(piles.values())


async def set_pile_colours(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Bulk update of {pile_pk, colour, since, cause} rows (one executemany)."""
    if rows:
        await execute(session, _SET_PILE_COLOURS, rows)


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
