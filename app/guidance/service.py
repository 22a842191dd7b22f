"""Guidance use cases: off-peak charging (错时错峰) and siting, per community of an area.

Both read the same figures as /v1/energy (rollups) and /v1/utilization (connector hours), so
a recommendation can always be traced back to numbers the street can look up.

* Peak-hour load share: the community's energy in the peak period ÷ its energy.
* Idle capacity: idle share = 1 − occupancy (busy ÷ available connector-hours), and the idle
  connector-hours themselves. The community with the highest idle share has the most room.
* Valley headroom: available minus busy connector-hours inside the valley period.
* Congested hours: hours of the day whose occupancy over the range is at least
  `congested_occupancy`; room windows: runs of hours at or below `room_occupancy`.
* Hours are attributed to the period in force at the start of the hour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.core.config import EnergySettings
from app.core.time import LOCAL_TZ
from app.energy import service as energy_service
from app.energy.groups import GroupIndex, group_index
from app.energy.periods import Share, TimeOfUse
from app.energy.ranges import DayRange, last_days, local_today
from app.energy.schemas import AreaRef, GroupBy
from app.guidance.schemas import (
    CommunityRef,
    Congestion,
    HourWindow,
    OffPeakCommunity,
    OffPeakGuidance,
    Recommendation,
    Room,
    Shift,
    SitingCommunity,
    SitingInsight,
)
from app.jurisdictions import service as jurisdictions_service
from app.models import Jurisdiction
from app.utilisation import service as utilisation_service
from app.utilisation.service import AreaUse, ratio, unavailable_union
from app.utilisation.timeline import seconds, simultaneous

_HOUR = 3600.0

SITING_METHOD = (
    "pressure = mean of occupancy, all-busy share and energy per pile, each divided by its "
    "largest value among the area's communities; rank 1 has the highest pressure."
)


@dataclass(slots=True)
class _Community:
    key: str
    ref: CommunityRef
    piles: set[int] = field(default_factory=set)
    connectors: list[int] = field(default_factory=list)
    available: list[float] = field(default_factory=lambda: [0.0] * 24)
    busy: list[float] = field(default_factory=lambda: [0.0] * 24)
    valley_available: float = 0.0
    valley_busy: float = 0.0
    energy: dict[str, Share] = field(default_factory=dict)


async def _communities(
    session: AsyncSession,
    principal: Principal,
    area: Jurisdiction,
    days: DayRange,
    settings: EnergySettings,
) -> tuple[list[_Community], AreaUse, GroupIndex]:
    index = await group_index(session, principal, area.path, GroupBy.COMMUNITY)
    use = await utilisation_service.area_use(session, principal, area.path, days)
    energy = await energy_service.energy_by_group(session, principal, index, area.path, days)
    tou = energy_service.time_of_use(settings)
    period_of_hour = _periods_by_hour(tou, days.first)
    found = {
        key: _Community(key, CommunityRef(code=index.ref(key).code, name=index.ref(key).name))
        for key in index.keys()
    }
    for pile_pk, key in index.piles.items():
        if key in found:
            found[key].piles.add(pile_pk)
    for connector in use.connectors:
        group = index.group_of_pile(connector.pile_pk)
        if group is None or group not in found:
            continue
        community = found[group]
        community.connectors.append(connector.connector_pk)
        hours = connector.hours
        for i, (available, busy) in enumerate(zip(hours.available, hours.busy, strict=True)):
            hour = i % 24
            community.available[hour] += available
            community.busy[hour] += busy
            if period_of_hour[hour] == settings.valley_period:
                community.valley_available += available
                community.valley_busy += busy
    for key, by_period in energy.items():
        if key in found:
            found[key].energy = by_period
    return list(found.values()), use, index


def _periods_by_hour(tou: TimeOfUse, day: date) -> list[str]:
    return [tou.period_at(datetime.combine(day, time(hour), tzinfo=LOCAL_TZ)) for hour in range(24)]


async def off_peak_guidance(
    session: AsyncSession,
    principal: Principal,
    *,
    area: str | None,
    first: date | None,
    last: date | None,
    settings: EnergySettings,
    today: date | None = None,
) -> OffPeakGuidance:
    """Per community: peak-hour load share, valley headroom, idle capacity; and which
    communities are congested when, and which have room when."""
    days = last_days(first, last, today=today or local_today(), limits=settings)
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    communities, _, _ = await _communities(session, principal, area_row, days, settings)
    figures = [_off_peak(c, settings) for c in communities]
    return OffPeakGuidance(
        area=AreaRef(code=area_row.code, name=area_row.name, level=area_row.level),
        from_date=days.first, to_date=days.last, peak_period=settings.peak_period,
        valley_period=settings.valley_period,
        congested_occupancy=settings.congested_occupancy,
        room_occupancy=settings.room_occupancy,
        communities=figures, recommendation=_recommend(figures),
    )  # fmt: skip


def _off_peak(community: _Community, settings: EnergySettings) -> OffPeakCommunity:
    total = sum(community.energy.values(), Share()).energy_wh
    peak = community.energy.get(settings.peak_period, Share()).energy_wh
    valley = community.energy.get(settings.valley_period, Share()).energy_wh
    available, busy = sum(community.available), sum(community.busy)
    occupancy = ratio(busy, available)
    hourly = [ratio(b, a) for a, b in zip(community.available, community.busy, strict=True)]
    return OffPeakCommunity(
        community=community.ref, piles=len(community.piles),
        connectors=len(community.connectors), energy_kwh=total / 1000, peak_kwh=peak / 1000,
        valley_kwh=valley / 1000, peak_load_share=ratio(peak, total), occupancy=occupancy,
        idle_share=None if occupancy is None else round(1 - occupancy, 4),
        idle_connector_hours=round((available - busy) / _HOUR, 3),
        valley_occupancy=ratio(community.valley_busy, community.valley_available),
        valley_headroom_hours=round(
            (community.valley_available - community.valley_busy) / _HOUR, 3
        ),
        hourly_occupancy=hourly,
        congested_hours=[h for h, o in enumerate(hourly) if o is not None
                         and o >= settings.congested_occupancy],
        room_windows=_windows([o is not None and o <= settings.room_occupancy for o in hourly]),
    )  # fmt: skip


def _windows(free: Sequence[bool]) -> list[HourWindow]:
    """Maximal runs of free hours on the 24-hour clock (a run may wrap over midnight)."""
    if all(free):
        return [HourWindow(from_hour=0, to_hour=24)]
    if not any(free):
        return []
    start = next(h for h in range(24) if not free[h])  # begin scanning after a busy hour
    runs: list[HourWindow] = []
    run_from: int | None = None
    for step in range(1, 25):
        hour = (start + step) % 24
        if free[hour] and run_from is None:
            run_from = hour
        elif not free[hour] and run_from is not None:
            runs.append(HourWindow(from_hour=run_from, to_hour=hour))
            run_from = None
    return sorted(runs, key=lambda w: w.from_hour)


def _recommend(figures: Sequence[OffPeakCommunity]) -> Recommendation:
    congested = sorted(
        (
            Congestion(
                community=f.community, hours=f.congested_hours,
                worst_occupancy=max(f.hourly_occupancy[h] or 0.0 for h in f.congested_hours),
            )
            for f in figures if f.congested_hours
        ),
        key=lambda c: -c.worst_occupancy,
    )  # fmt: skip
    room = sorted(
        (
            Room(community=f.community, idle_share=f.idle_share,
                 valley_headroom_hours=f.valley_headroom_hours, windows=f.room_windows)
            for f in figures if f.idle_share is not None and f.room_windows
        ),
        key=lambda r: (-r.idle_share, r.community.code),
    )  # fmt: skip
    idle = [f for f in figures if f.idle_share is not None]
    most_idle = max(idle, key=lambda f: (f.idle_share or 0.0, f.idle_connector_hours), default=None)
    shifts = []
    for jam in congested:
        target = next((r for r in room if r.community.code != jam.community.code), None)
        if target is not None:
            shifts.append(Shift(from_community=jam.community, hours=jam.hours,
                                to_community=target.community, windows=target.windows))  # fmt: skip
    return Recommendation(
        congested=congested, room=room,
        most_idle_community=most_idle.community if most_idle else None, shifts=shifts,
    )  # fmt: skip


@dataclass(slots=True)
class _Pressure:
    community: _Community
    figures: list[float | None]  # occupancy, all-busy share, energy per pile
    pressure: float = 0.0


async def siting_insight(
    session: AsyncSession,
    principal: Principal,
    *,
    area: str | None,
    first: date | None,
    last: date | None,
    settings: EnergySettings,
    today: date | None = None,
) -> SitingInsight:
    """Communities ranked by demand pressure, with the figures behind each rank."""
    days = last_days(first, last, today=today or local_today(), limits=settings)
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    communities, use, _ = await _communities(session, principal, area_row, days, settings)
    by_connector = {c.connector_pk: c for c in use.connectors}
    window = (days.end - days.start).total_seconds()
    rows = []
    for community in communities:
        timelines = [unavailable_union(by_connector[pk]) for pk in community.connectors]
        all_busy = seconds(simultaneous(timelines, len(timelines)))
        energy = sum(community.energy.values(), Share()).energy_wh / 1000
        piles = len(community.piles)
        rows.append(
            _Pressure(
                community,
                [
                    ratio(sum(community.busy), sum(community.available)),
                    ratio(all_busy, window) if timelines else None,
                    round(energy / piles, 3) if piles else None,
                ],
            )
        )
    peaks = [max((row.figures[i] or 0.0 for row in rows), default=0.0) for i in range(3)]
    for row in rows:
        scaled = [(value or 0.0) / peak for value, peak in zip(row.figures, peaks, strict=True)
                  if peak > 0]  # fmt: skip
        row.pressure = round(sum(scaled) / 3, 4)
    rows.sort(key=lambda row: (-row.pressure, row.community.ref.code))
    return SitingInsight(
        area=AreaRef(code=area_row.code, name=area_row.name, level=area_row.level),
        from_date=days.first, to_date=days.last, method=SITING_METHOD,
        communities=[
            SitingCommunity(
                rank=rank, community=row.community.ref, piles=len(row.community.piles),
                occupancy=row.figures[0], all_busy_share=row.figures[1],
                energy_per_pile_kwh=row.figures[2], pressure=row.pressure,
            )
            for rank, row in enumerate(rows, start=1)
        ],
    )  # fmt: skip
