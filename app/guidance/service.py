"""Guidance use cases: off-peak charging (错时错峰) and siting, per community of an area.

Both read the same figures as /v1/energy (rollups) and /v1/utilization (connector hours, over
observed time up to now), so a recommendation can always be traced back to numbers the street
can look up.

* Peak-hour load share: the community's energy in the peak period ÷ its energy.
* Idle capacity: idle share = 1 − occupancy (busy ÷ available connector-hours), and the idle
  connector-hours themselves. The community with the highest idle share has the most room.
* Valley headroom: available minus busy connector-hours inside the valley period.
* Congested hours: hours of the day whose occupancy over the range is at least
  `congested_occupancy`; room windows: runs of hours at or below `room_occupancy`.
* Hours are attributed to the period in force at the start of the hour.
* A community is judged only when at least `min_coverage` of its connector-hours up to now
  were observed (and some of them available); one that is not has null shares, is neither
  ranked nor recommended, and is listed in `not_judged` with the reason. An hour of the day
  is congested or has room only when that hour is itself covered enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.core.config import EnergySettings
from app.core.time import LOCAL_TZ, utc_now
from app.energy import service as energy_service
from app.energy.coverage import NoData, coverage_figures, judge
from app.energy.groups import GroupIndex, group_index
from app.energy.periods import Share, TimeOfUse
from app.energy.ranges import DayRange, last_days
from app.energy.schemas import AreaRef, GroupBy
from app.guidance.schemas import (
    CommunityRef,
    Congestion,
    HourWindow,
    NotJudged,
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
from app.utilisation.service import (
    AreaUse,
    ConnectorUse,
    Sums,
    local_date,
    ratio,
    unavailable_union,
)
from app.utilisation.timeline import seconds, simultaneous

_HOUR = 3600.0

SITING_METHOD = (
    "pressure = mean of occupancy, all-busy share and energy per pile, each divided by its "
    "largest value among the ranked communities; rank 1 has the highest pressure. A community "
    "with too little of the range observed (its reason) is not ranked: rank and pressure null."
)


@dataclass(slots=True)
class _Community:
    key: str
    ref: CommunityRef
    piles: set[int] = field(default_factory=set)
    connectors: list[int] = field(default_factory=list)
    whole: Sums = field(default_factory=Sums)
    hourly: list[Sums] = field(default_factory=lambda: [Sums() for _ in range(24)])
    valley: Sums = field(default_factory=Sums)
    energy: dict[str, Share] = field(default_factory=dict)


async def _communities(
    session: AsyncSession,
    principal: Principal,
    area: Jurisdiction,
    days: DayRange,
    settings: EnergySettings,
    now: datetime,
) -> tuple[list[_Community], AreaUse, GroupIndex]:
    index = await group_index(session, principal, area.path, GroupBy.COMMUNITY)
    use = await utilisation_service.area_use(session, principal, area.path, days, now)
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
    members: dict[str, list[ConnectorUse]] = {}
    for connector in use.connectors:
        group = index.group_of_pile(connector.pile_pk)
        if group is None or group not in found:
            continue
        found[group].connectors.append(connector.connector_pk)
        members.setdefault(group, []).append(connector)
    happened = utilisation_service.hours_happened(use)
    for key, group_members in members.items():
        community = found[key]

        def buckets(i: int, community: _Community = community) -> list[Sums]:
            reached = [community.whole, community.hourly[i % 24]]
            if period_of_hour[i % 24] == settings.valley_period:
                reached.append(community.valley)
            return reached

        utilisation_service.add_group(group_members, happened, buckets)
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
    now: datetime | None = None,
) -> OffPeakGuidance:
    """Per community: peak-hour load share, valley headroom, idle capacity; and which
    communities are congested when, and which have room when (judged communities only)."""
    now = now or utc_now()
    days = last_days(first, last, today=local_date(now), limits=settings)
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    communities, use, _ = await _communities(session, principal, area_row, days, settings, now)
    figures = [_off_peak(c, settings) for c in communities]
    return OffPeakGuidance(
        area=AreaRef(code=area_row.code, name=area_row.name, level=area_row.level),
        from_date=days.first, to_date=days.last, until=use.until,
        peak_period=settings.peak_period,
        valley_period=settings.valley_period,
        congested_occupancy=settings.congested_occupancy,
        room_occupancy=settings.room_occupancy,
        communities=figures, recommendation=_recommend(figures),
    )  # fmt: skip


def _occupancy(sums: Sums, min_coverage: float) -> float | None:
    """Busy ÷ available over observed time, or None when `sums` may not be judged."""
    return None if sums.reason(min_coverage) else ratio(sums.busy, sums.available)


def _off_peak(community: _Community, settings: EnergySettings) -> OffPeakCommunity:
    total = sum(community.energy.values(), Share()).energy_wh
    peak = community.energy.get(settings.peak_period, Share()).energy_wh
    valley = community.energy.get(settings.valley_period, Share()).energy_wh
    least = settings.min_coverage
    whole, valley_use = community.whole, community.valley
    occupancy = _occupancy(whole, least)
    hourly = [_occupancy(sums, least) for sums in community.hourly]
    return OffPeakCommunity(
        community=community.ref, piles=len(community.piles),
        connectors=len(community.connectors), **coverage_figures(whole.observed, whole.span),
        reason=whole.reason(least), energy_kwh=total / 1000, peak_kwh=peak / 1000,
        valley_kwh=valley / 1000, peak_load_share=ratio(peak, total), occupancy=occupancy,
        idle_share=None if occupancy is None else round(1 - occupancy, 4),
        idle_connector_hours=round((whole.available - whole.busy) / _HOUR, 3),
        valley_occupancy=_occupancy(valley_use, least),
        valley_headroom_hours=round((valley_use.available - valley_use.busy) / _HOUR, 3),
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


def _recommend(every: Sequence[OffPeakCommunity]) -> Recommendation:
    """Advice from judged communities only; the others are named as not judged, so silence
    about a community is never read as "no problem there"."""
    figures = [f for f in every if f.reason is None]
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
        not_judged=[NotJudged(community=f.community, reason=f.reason) for f in every
                    if f.reason is not None],
    )  # fmt: skip


@dataclass(slots=True)
class _Pressure:
    community: _Community
    coverage: dict[str, float | None]
    reason: NoData | None
    figures: list[float | None]  # occupancy, all-busy share, energy per pile
    pressure: float | None = None


async def siting_insight(
    session: AsyncSession,
    principal: Principal,
    *,
    area: str | None,
    first: date | None,
    last: date | None,
    settings: EnergySettings,
    now: datetime | None = None,
) -> SitingInsight:
    """Communities ranked by demand pressure, with the figures behind each rank; those with
    too little observed are listed unranked, after the ranked ones."""
    now = now or utc_now()
    days = last_days(first, last, today=local_date(now), limits=settings)
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    communities, use, _ = await _communities(session, principal, area_row, days, settings, now)
    by_connector = {c.connector_pk: c for c in use.connectors}
    span = use.until - days.start
    rows = [_pressure_of(c, by_connector, span, settings.min_coverage) for c in communities]
    _scale(rows)
    rows.sort(key=lambda row: (row.pressure is None, -(row.pressure or 0.0),
                               row.community.ref.code))  # fmt: skip
    return SitingInsight(
        area=AreaRef(code=area_row.code, name=area_row.name, level=area_row.level),
        from_date=days.first, to_date=days.last, until=use.until, method=SITING_METHOD,
        communities=[
            SitingCommunity(
                rank=rank if row.pressure is not None else None, community=row.community.ref,
                piles=len(row.community.piles), **row.coverage, reason=row.reason,
                occupancy=row.figures[0], all_busy_share=row.figures[1],
                energy_per_pile_kwh=row.figures[2], pressure=row.pressure,
            )
            for rank, row in enumerate(rows, start=1)
        ],
    )  # fmt: skip


def _pressure_of(
    community: _Community,
    by_connector: dict[int, utilisation_service.ConnectorUse],
    span: timedelta,
    min_coverage: float,
) -> _Pressure:
    """A community's three figures; the shares of time only over observed time."""
    connectors = [by_connector[pk] for pk in community.connectors]
    whole = community.whole
    reason = whole.reason(min_coverage)
    # No connector free: measured over the time every connector was observed (busy and down
    # time lie inside it), and only when that time covers enough of the range.
    seen = seconds(simultaneous([c.time.observed for c in connectors], len(connectors)))
    all_busy = seconds(simultaneous([unavailable_union(c) for c in connectors], len(connectors)))
    whole_seconds = span.total_seconds() or 0.0
    all_busy_share = None if judge(seen, whole_seconds, min_coverage) else ratio(all_busy, seen)
    energy = sum(community.energy.values(), Share()).energy_wh / 1000
    piles = len(community.piles)
    return _Pressure(
        community, coverage_figures(whole.observed, whole.span), reason,
        [None if reason else ratio(whole.busy, whole.available), all_busy_share,
         round(energy / piles, 3) if piles else None],
    )  # fmt: skip


def _scale(rows: Sequence[_Pressure]) -> None:
    """Pressure of the judged communities: each figure over its largest among them."""
    judged = [row for row in rows if row.reason is None]
    peaks = [max((row.figures[i] or 0.0 for row in judged), default=0.0) for i in range(3)]
    for row in judged:
        scaled = [(value or 0.0) / peak for value, peak in zip(row.figures, peaks, strict=True)
                  if peak > 0]  # fmt: skip
        row.pressure = round(sum(scaled) / 3, 4)
