"""SQL for utilisation: status history and session intervals of the connectors of an area.

Every statement is scoped by the pile's jurisdiction (the caller's area and the asked area),
like every other read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import visibility
from app.auth.principal import Principal
from app.core.db import execute
from app.models import ChargingSession, Connector, Pile, StatusChange
from app.sessions.rules import MAX_SESSION_DURATION


def _in_area(principal: Principal, area_path: str) -> list[Any]:
    return [
        col(Pile.jurisdiction_id).in_(visibility.visible_jurisdiction_ids(principal)),
        col(Pile.jurisdiction_id).in_(visibility.jurisdiction_ids_within(area_path)),
    ]


async def connectors(session: AsyncSession, principal: Principal, area_path: str) -> Sequence[Any]:
    """(connector pk, pile pk, equipment id, connector id) of the area, in id order."""
    result = await execute(
        session,
        sa.select(col(Connector.id), col(Connector.pile_pk), col(Pile.equipment_id),
                  col(Connector.connector_id))
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .where(*_in_area(principal, area_path))
        .order_by(col(Connector.id)),
    )  # fmt: skip
    return result.all()


async def status_changes(
    session: AsyncSession, principal: Principal, area_path: str, start: datetime, end: datetime
) -> Sequence[Any]:
    """Applied status changes inside [start, end), per connector in time order."""
    result = await execute(
        session,
        sa.select(col(StatusChange.connector_pk), col(StatusChange.observed_at),
                  col(StatusChange.status))
        .join(Connector, col(Connector.id) == StatusChange.connector_pk)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .where(*_in_area(principal, area_path), col(StatusChange.applied).is_(True),
               col(StatusChange.observed_at) >= start, col(StatusChange.observed_at) < end)
        .order_by(col(StatusChange.connector_pk), col(StatusChange.observed_at),
                  col(StatusChange.id)),
    )  # fmt: skip
    return result.all()


async def statuses_at(
    session: AsyncSession, principal: Principal, area_path: str, moment: datetime
) -> dict[int, str]:
    """Each connector's status at `moment`: its last applied change before it."""
    latest = (
        sa.select(col(StatusChange.connector_pk).label("connector_pk"),
                  sa.func.max(StatusChange.observed_at).label("observed_at"))
        .join(Connector, col(Connector.id) == StatusChange.connector_pk)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .where(*_in_area(principal, area_path), col(StatusChange.applied).is_(True),
               col(StatusChange.observed_at) < moment)
        .group_by(col(StatusChange.connector_pk))
        .subquery()
    )  # fmt: skip
    result = await execute(
        session,
        sa.select(col(StatusChange.connector_pk), col(StatusChange.status))
        .join(latest, sa.and_(latest.c.connector_pk == StatusChange.connector_pk,
                              latest.c.observed_at == StatusChange.observed_at))
        .where(col(StatusChange.applied).is_(True))
        .order_by(col(StatusChange.id)),
    )  # fmt: skip
    return {row.connector_pk: row.status for row in result.all()}  # the last one wins


async def session_intervals(
    session: AsyncSession, principal: Principal, area_path: str, start: datetime, end: datetime
) -> Sequence[Any]:
    """(connector pk, start_at, end_at) of sessions overlapping [start, end)."""
    result = await execute(
        session,
        sa.select(col(ChargingSession.connector_pk), col(ChargingSession.start_at),
                  col(ChargingSession.end_at))
        .join(Connector, col(Connector.id) == ChargingSession.connector_pk)
        .join(Pile, col(Pile.id) == Connector.pile_pk)
        .where(*_in_area(principal, area_path),
               # Sessions are at most MAX_SESSION_DURATION long: a bounded start range.
               col(ChargingSession.start_at) >= start - MAX_SESSION_DURATION - timedelta(hours=1),
               col(ChargingSession.start_at) < end, col(ChargingSession.end_at) > start),
    )  # fmt: skip
    return result.all()
