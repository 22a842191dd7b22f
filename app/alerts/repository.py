"""SQL for alerts. Reads start from the caller's area (the alert's community path)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import visibility
from app.auth.principal import Principal
from app.models import Alert


async def unresolved_for_piles(session: AsyncSession, pile_pks: Iterable[int]) -> dict[int, Alert]:
    result = await session.exec(
        select(Alert).where(col(Alert.pile_pk).in_(set(pile_pks)), Alert.state != "resolved")
    )
    return {alert.pile_pk: alert for alert in result.all()}


async def auto_resolved_since(
    session: AsyncSession, pile_pks: Iterable[int], since: datetime
) -> dict[int, Alert]:
    """The latest alert of each pile that resolved itself at or after `since`."""
    result = await session.exec(
        select(Alert)
        .where(
            col(Alert.pile_pk).in_(set(pile_pks)),
            Alert.state == "resolved",
            col(Alert.resolved_by).is_(None),
            col(Alert.resolved_at) >= since,
        )
        .order_by(col(Alert.id))
    )
    return {alert.pile_pk: alert for alert in result.all()}  # the last one wins


async def get_visible(session: AsyncSession, principal: Principal, alert_id: int) -> Alert | None:
    result = await session.exec(
        select(Alert).where(
            Alert.id == alert_id, visibility.visible_to(principal, col(Alert.area_path))
        )
    )
    return result.first()


async def list_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    area_path: str,
    states: Sequence[str] | None,
    severity: str | None,
    before_id: int | None,
    limit: int,
) -> Sequence[Alert]:
    """Alerts in `area_path` (which the caller already resolved inside its own area), newest
    first."""
    statement = select(Alert).where(
        visibility.visible_to(principal, col(Alert.area_path)),
        visibility.within(col(Alert.area_path), area_path),
    )
    if states:
        statement = statement.where(col(Alert.state).in_(states))
    if severity is not None:
        statement = statement.where(Alert.severity == severity)
    if before_id is not None:
        statement = statement.where(col(Alert.id) < before_id)
    result = await session.exec(statement.order_by(col(Alert.id).desc()).limit(limit))
    return result.all()


async def save(session: AsyncSession, alerts: Iterable[Alert]) -> None:
    session.add_all(list(alerts))
    await session.flush()
