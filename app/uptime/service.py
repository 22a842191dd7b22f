"""Uptime use case: per connector and pile of an area, from the status history and the
outage reasons staff gave when resolving alerts (app/uptime/measure.py defines the figures)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts.schemas import OutageReason
from app.auth.principal import Principal
from app.core.config import EnergySettings
from app.core.time import LOCAL_TZ, utc_now
from app.energy.coverage import NoData, coverage_figures, judge
from app.energy.groups import group_index
from app.energy.ranges import last_days
from app.energy.schemas import AreaRef, GroupBy
from app.jurisdictions import service as jurisdictions_service
from app.uptime import measure, repository
from app.uptime.schemas import (
    ConnectorUptime,
    PileUptime,
    StatusHours,
    UptimeFigures,
    UptimeReport,
)
from app.utilisation import service as utilisation_service
from app.utilisation.timeline import Interval

_HOUR = 3600.0


async def uptime_report(
    session: AsyncSession,
    principal: Principal,
    *,
    area: str | None,
    first: date | None,
    last: date | None,
    settings: EnergySettings,
    offline_grace: timedelta,
    now: datetime | None = None,
) -> UptimeReport:
    """NEVI uptime, UK reliability by status, MTTR and fault counts per connector and pile,
    over the range up to now. By default the 30 days before today."""
    now = now or utc_now()
    days = last_days(first, last, today=now.astimezone(LOCAL_TZ).date(), limits=settings)
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    start, end = days.start, days.until(now)
    piles = await group_index(session, principal, area_row.path, GroupBy.PILE)
    history = await utilisation_service.area_history(session, principal, area_row.path, start, end)
    excluded: dict[int, list[Interval]] = {}
    for alert in await repository.excluded_alerts(session, principal, area_row.path, start, end):
        excluded.setdefault(alert.pile_pk, []).append((alert.opened_at, alert.resolved_at or end))
    connectors: list[ConnectorUptime] = []
    pile_tallies: dict[int, tuple[measure.Tally, int]] = {}
    whole = measure.Tally()
    for row in history.connectors:
        tally = measure.tally(
            history.pieces[row.id], excluded=excluded.get(row.pile_pk, []),
            offline_grace=offline_grace, start=start, end=end,
        )  # fmt: skip
        ref = piles.ref(str(row.pile_pk))
        connectors.append(ConnectorUptime(
            connector_id=row.connector_id, pile_id=row.pile_pk, equipment_id=row.equipment_id,
            community=ref.community or "", **_figures(tally, settings).model_dump(),
        ))  # fmt: skip
        pile_tally, count = pile_tallies.get(row.pile_pk, (measure.Tally(), 0))
        pile_tally += tally
        pile_tallies[row.pile_pk] = (pile_tally, count + 1)
        whole += tally
    return UptimeReport(
        area=AreaRef(code=area_row.code, name=area_row.name, level=area_row.level),
        from_date=days.first, to_date=days.last, until=end, definition=measure.__doc__ or "",
        excluded_reasons=list(OutageReason), area_uptime=_figures(whole, settings),
        piles=[
            PileUptime(
                pile_id=pile_pk, equipment_id=piles.ref(str(pile_pk)).code,
                community=piles.ref(str(pile_pk)).community or "", connectors=count,
                **_figures(tally, settings).model_dump(),
            )
            for pile_pk, (tally, count) in sorted(pile_tallies.items())
        ],
        connectors=connectors,
    )  # fmt: skip


def _figures(tally: measure.Tally, settings: EnergySettings) -> UptimeFigures:
    reason = judge(tally.observed, tally.total, settings.min_coverage)
    uptime, reliability = (None, None) if reason else (tally.uptime, tally.reliability)
    return UptimeFigures(
        **coverage_figures(tally.observed, tally.total), reason=reason,
        hours=StatusHours(
            available=_hours(tally.available), in_use=_hours(tally.in_use),
            out_of_service=_hours(tally.out_of_service),
            short_offline=_hours(tally.short_offline), unknown=_hours(tally.unknown),
        ),
        outage_hours=_hours(tally.out_of_service), excluded_hours=_hours(tally.excluded),
        uptime=_round(uptime), uk_reliability=_round(reliability),
        meets_uk_target=None if reliability is None else reliability >= measure.UK_TARGET,
        faults=tally.faults, repairs=len(tally.repairs),
        mttr_hours=None if tally.mttr is None else _hours(tally.mttr),
        mttr_reason=_mttr_reason(tally),
    )  # fmt: skip


def _mttr_reason(tally: measure.Tally) -> NoData | None:
    """An average of no repairs is no figure (not 0 hours): say why it is missing."""
    if tally.repairs:
        return None
    return NoData.NO_OBSERVATIONS if tally.observed <= 0 else NoData.NO_REPAIRS


def _hours(value: float) -> float:
    return round(value / _HOUR, 3)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 5)
