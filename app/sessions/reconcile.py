"""Reconciling sessions against the operator's own daily statistics (query_station_stats)."""

from __future__ import annotations

from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from app.sessions import repository

# Within this much (relative, and an absolute floor for quiet stations) the sums agree.
RELATIVE_TOLERANCE = 0.01
ABSOLUTE_TOLERANCE_WH = 100


async def station_day_energy(
    session: AsyncSession, operator_pk: int, station_id: str, day: date
) -> int:
    """Wh of the sessions the hub holds for a station that started on a local day."""
    return await repository.station_day_energy(session, operator_pk, station_id, day)


def agrees(hub_wh: int, operator_wh: int) -> bool:
    allowed = max(ABSOLUTE_TOLERANCE_WH, RELATIVE_TOLERANCE * operator_wh)
    return abs(hub_wh - operator_wh) <= allowed
