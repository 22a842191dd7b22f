"""Utilisation use cases: each connector's hours in a range, folded into groups and buckets.

The same hourly figures feed the off-peak guidance and the siting insight (app/guidance), so
the three answers always agree with each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.core.config import EnergySettings
from app.core.time import LOCAL_TZ, utc_now
from app.energy.coverage import NoData, coverage_figures, judge
from app.energy.groups import GroupIndex, group_index
from app.energy.ranges import DayRange, Granularity, bucket, resolve
from app.energy.schemas import AreaRef, GroupBy
from app.jurisdictions import service as jurisdictions_service
from app.utilisation import repository
from app.utilisation.schemas import ProfileCell, UseFigures, UseRow, UseTotal, UtilisationReport
from app.utilisation.timeline import (
    ConnectorTime,
    Interval,
    connector_time,
    status_intervals,
    union,
)

_HOUR_SECONDS = 3600.0


@dataclass(slots=True)
class Hours:
    """Seconds per hour of the range, hour 0 being local midnight of its first day (hours
    after now hold nothing, not even unknown time)."""

    span: list[float]  # of the hour inside the window: 3600 before now, 0 after
    observed: list[float]
    available: list[float]
    busy: list[float]
    charging: list[float]


_HOURS_FIELDS = [f.name for f in fields(Hours)]


@dataclass(slots=True)
class ConnectorUse:
    connector_pk: int
    pile_pk: int
    time: ConnectorTime
    hours: Hours


@dataclass(slots=True)
class AreaUse:
    days: DayRange
    until: datetime  # the range cut at now
    connectors: list[ConnectorUse] = field(default_factory=list)

    def hour_start(self, index: int) -> tuple[date, int]:
        return self.days.first + timedelta(days=index // 24), index % 24


@dataclass(slots=True)
class AreaHistory:
    """The connectors of an area with their status pieces and sessions inside a window."""

    connectors: Sequence[Any]  # (id, pile_pk, equipment_id, connector_id) rows
    pieces: dict[int, list[tuple[datetime, datetime, str]]]
    sessions: dict[int, list[Interval]]


async def area_history(
    session: AsyncSession, principal: Principal, area_path: str, start: datetime, end: datetime
) -> AreaHistory:
    """Status pieces (timeline.status_intervals) and sessions of every connector of the area."""
    connectors = await repository.connectors(session, principal, area_path)
    initial = await repository.statuses_at(session, principal, area_path, start)
    changes: dict[int, list[tuple[datetime, str]]] = {}
    for row in await repository.status_changes(session, principal, area_path, start, end):
        changes.setdefault(row.connector_pk, []).append((row.observed_at, row.status))
    sessions: dict[int, list[Interval]] = {}
    for row in await repository.session_intervals(session, principal, area_path, start, end):
        sessions.setdefault(row.connector_pk, []).append((row.start_at, row.end_at))
    pieces = {
        row.id: status_intervals(initial.get(row.id, "unknown"), changes.get(row.id, []),
                                 start, end)
        for row in connectors
    }  # fmt: skip
    return AreaHistory(connectors, pieces, sessions)


async def area_use(
    session: AsyncSession, principal: Principal, area_path: str, days: DayRange, now: datetime
) -> AreaUse:
    """Every connector of the area with its time and hourly figures over `days` up to now."""
    start, end = days.start, days.until(now)
    history = await area_history(session, principal, area_path, start, end)
    use = AreaUse(days, end)
    for row in history.connectors:
        time = connector_time(history.pieces[row.id], history.sessions.get(row.id, []), start, end)
        use.connectors.append(ConnectorUse(row.id, row.pile_pk, time, _hours(time, days, end)))
    return use


def _hours(time: ConnectorTime, days: DayRange, until: datetime) -> Hours:
    count = days.days * 24
    origin = days.start

    def spread(intervals: Sequence[Interval]) -> list[float]:
        """Seconds of `intervals` (disjoint, as every timeline here is) in each hour. Hour i
        starts i * 3600 s after local midnight of the first day: Asia/Shanghai keeps no
        daylight saving time, so local clock hours are that regular. Whole hours are filled
        by slice, not one by one: a month of 2,000 connectors is millions of hours."""
        values = [0.0] * count
        for a, b in intervals:
            low = max((a - origin).total_seconds(), 0.0)
            high = min((b - origin).total_seconds(), count * _HOUR_SECONDS)
            if high <= low:
                continue
            first, last = int(low // _HOUR_SECONDS), int(high // _HOUR_SECONDS)
            if first == last:
                values[first] += high - low
                continue
            values[first] += (first + 1) * _HOUR_SECONDS - low
            values[first + 1 : last] = [float(_HOUR_SECONDS)] * (last - first - 1)
            if last < count:
                values[last] += high - last * _HOUR_SECONDS
        return values

    observed = spread(time.observed)
    down = spread(time.down)
    return Hours(
        span=spread([(origin, until)]),
        observed=observed,
        available=[seen - out for seen, out in zip(observed, down, strict=True)],
        busy=spread(time.busy),
        charging=spread(time.charging),
    )


@dataclass(slots=True)
class Sums:
    """Connector-seconds of a group (or an hour of the week), summed over hours."""

    span: float = 0.0
    observed: float = 0.0
    available: float = 0.0
    busy: float = 0.0
    charging: float = 0.0
    connectors: set[int] = field(default_factory=set)

    def add_hour(self, hours: Hours, i: int) -> None:
        self.span += hours.span[i]
        self.observed += hours.observed[i]
        self.available += hours.available[i]
        self.busy += hours.busy[i]
        self.charging += hours.charging[i]

    def reason(self, min_coverage: float) -> NoData | None:
        """Why the shares of available time are not stated, if they are not."""
        reason = judge(self.observed, self.span, min_coverage)
        if reason is None and self.available <= 0:
            return NoData.NOTHING_AVAILABLE
        return reason

    def figures(self, min_coverage: float) -> dict[str, object]:
        reason = self.reason(min_coverage)
        return {
            "connectors": len(self.connectors),
            **coverage_figures(self.observed, self.span),
            "reason": reason,
            "available_hours": round(self.available / _HOUR_SECONDS, 3),
            "busy_hours": round(self.busy / _HOUR_SECONDS, 3),
            "charging_hours": round(self.charging / _HOUR_SECONDS, 3),
            "occupancy": None if reason else ratio(self.busy, self.available),
            "charging_share": None if reason else ratio(self.charging, self.available),
        }


def ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole > 0 else None


async def utilisation_report(
    session: AsyncSession,
    principal: Principal,
    *,
    area: str | None,
    granularity: Granularity,
    first: date | None,
    last: date | None,
    group_by: GroupBy,
    settings: EnergySettings,
    now: datetime | None = None,
) -> UtilisationReport:
    """Busy, charging and available hours per group and day or month, and the area's
    hour-of-week occupancy profile, over the range up to now."""
    now = now or utc_now()
    days = resolve(granularity, first, last, today=local_date(now), limits=settings)
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    index = await group_index(session, principal, area_row.path, group_by)
    use = await area_use(session, principal, area_row.path, days, now)
    cells: dict[tuple[str, str], Sums] = {}
    totals = {key: Sums() for key in index.keys()}
    profile = {(weekday, hour): Sums() for weekday in range(1, 8) for hour in range(24)}
    members: dict[str, list[ConnectorUse]] = {}
    for connector in use.connectors:
        key = index.group_of_pile(connector.pile_pk)
        if key is not None:
            members.setdefault(key, []).append(connector)
    happened = hours_happened(use)
    for key, group in members.items():

        def buckets(i: int, key: str = key) -> tuple[Sums, ...]:
            day, hour = use.hour_start(i)
            return (
                cells.setdefault((key, bucket(day, granularity)), Sums()),
                totals.setdefault(key, Sums()),
                profile[(day.isoweekday(), hour)],
            )

        add_group(group, happened, buckets)
    ordered = sorted(cells.items(), key=lambda item: (index.order(item[0][0]), item[0][1]))
    least = settings.min_coverage
    return UtilisationReport(
        area=AreaRef(code=area_row.code, name=area_row.name, level=area_row.level),
        granularity=granularity, from_date=days.first, to_date=days.last, until=use.until,
        group_by=group_by,
        rows=[UseRow(group=index.ref(key), bucket=label, **_model(sums, least))
              for (key, label), sums in ordered],
        totals=[UseTotal(group=index.ref(key), **_model(sums, least))
                for key, sums in totals.items()],
        profile=[_profile_cell(weekday, hour, sums, least)
                 for (weekday, hour), sums in sorted(profile.items())],
    )  # fmt: skip


def hours_happened(use: AreaUse) -> int:
    """How many hours of the range have begun by now: the same for every connector, as they
    share the window."""
    spans = use.connectors[0].hours.span if use.connectors else []
    return next((i for i, span in enumerate(spans) if span <= 0), len(spans))


def add_group(
    group: Sequence[ConnectorUse], happened: int, buckets: Callable[[int], Iterable[Sums]]
) -> None:
    """Add a group's connectors to the sums each hour belongs to (`buckets(i)`), and count
    them in every sum they reached."""
    summed = summed_hours(group, happened)
    reached: dict[int, Sums] = {}  # by identity: Sums are mutable, so not hashable
    for i in range(happened):
        for sums in buckets(i):
            sums.add_hour(summed, i)
            reached[id(sums)] = sums
    pks = {c.connector_pk for c in group}
    for sums in reached.values():
        sums.connectors |= pks


def summed_hours(group: Sequence[ConnectorUse], happened: int) -> Hours:
    """A group's connectors summed hour by hour (in C, by zip and sum), so that figures are
    spread over buckets per group: groups × hours, not connectors × hours."""
    return Hours(**{
        name: [sum(column) for column in zip(*(getattr(c.hours, name)[:happened]
                                               for c in group), strict=True)]
        for name in _HOURS_FIELDS
    })  # fmt: skip


def _model(sums: Sums, min_coverage: float) -> dict[str, object]:
    return UseFigures.model_validate(sums.figures(min_coverage)).model_dump()


def _profile_cell(weekday: int, hour: int, sums: Sums, min_coverage: float) -> ProfileCell:
    figures = sums.figures(min_coverage)
    return ProfileCell(
        weekday=weekday, hour=hour,
        **{name: figures[name] for name in ProfileCell.model_fields if name in figures},
    )  # fmt: skip


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def unavailable_union(connector: ConnectorUse) -> list[Interval]:
    """When the connector could not take a car: busy or out of service."""
    return union([*connector.time.busy, *connector.time.down])


def group_of(index: GroupIndex, connector: ConnectorUse) -> str | None:
    return index.group_of_pile(connector.pile_pk)
