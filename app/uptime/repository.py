"""SQL for uptime: alerts resolved with an outage reason (the excluded outages) in an area."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import visibility
from app.auth.principal import Principal
from app.core.db import execute
from app.models import Alert


async def excluded_alerts(
    session: AsyncSession, principal: Principal, area_path: str, start: datetime, end: datetime
) -> Sequence[Any]:
    """(pile pk, opened_at, resolved_at, outage_reason) of alerts with an outage reason that
    overlap [start, end), in the caller's area and the asked one."""
    result = await execute(
        session,
        sa.select(col(Alert.pile_pk), col(Alert.opened_at), col(Alert.resolved_at),
                  col(Alert.outage_reason))
        .where(visibility.visible_to(principal, col(Alert.area_path)),
               visibility.within(col(Alert.area_path), area_path),
               col(Alert.outage_reason).is_not(None), col(Alert.opened_at) < end,
               sa.or_(col(Alert.resolved_at).is_(None), col(Alert.resolved_at) > start)),
    )  # fmt: skip
    return result.all()
