"""Energy use cases: keep the rollups in step with sessions, and report energy of an area.

Rollups are written only here, in the caller's transaction (the session write's), as the
difference between what a session contributed before and what it contributes now; so a
re-delivery adds nothing, a correction moves exactly its own energy, and a crash loses both
the session write and its rollup delta together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.core.config import EnergySettings
from app.core.time import LOCAL_TZ, as_utc, utc_now
from app.energy import repository
from app.energy.coverage import coverage_figures
from app.energy.groups import GroupIndex, group_index
from app.energy.periods import Share, ShareSums, TimeOfUse, add_share, contribution, shares_of
from app.energy.ranges import DayRange, Granularity, bucket, resolve
from app.energy.schemas import (
    AreaRef,
    EnergyReport,
    EnergyRow,
    EnergyTotal,
    GroupBy,
)
from app.jurisdictions import service as jurisdictions_service

SessionChange = tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]
"""(the stored session before this write or None, the session as written or None when it
was removed)."""

_REBUILD_PAGE = 5000


def time_of_use(settings: EnergySettings) -> TimeOfUse:
    return TimeOfUse.of((window.start, window.name) for window in settings.time_of_use)


def session_contribution(row: Mapping[str, Any], tou: TimeOfUse) -> dict[Any, Share]:
    """A stored or about-to-be-stored session's share of its connector's rollups."""
    return contribution(
        start_at=as_utc(row["start_at"]),
        end_at=as_utc(row["end_at"]),
        energy_wh=int(row["energy_wh"]),
        details=row.get("details") or [],
        tou=tou,
    )


async def follow_sessions(
    session: AsyncSession,
    changes: Sequence[SessionChange],
    *,
    tou: TimeOfUse,
    paths: Mapping[int, str] | None = None,
) -> None:
    """Apply the rollup deltas of these session writes (three statements for the batch; two
    when `paths` holds the community path of every connector the changes touch)."""
    sums: ShareSums = {}
    for before, after in changes:
        if before is not None:
            _add_contribution(sums, before, tou, -1)
        if after is not None:
            _add_contribution(sums, after, tou, +1)
    await _apply(session, shares_of(sums), paths)


def _add_contribution(sums: ShareSums, row: Mapping[str, Any], tou: TimeOfUse, sign: int) -> None:
    connector_pk = row["connector_pk"]
    for (day, period), share in session_contribution(row, tou).items():
        add_share(sums, (connector_pk, day, period), share, sign)


async def _apply(
    session: AsyncSession, deltas: Mapping[Any, Share], paths: Mapping[int, str] | None = None
) -> None:
    """Connector deltas, and the same deltas on the street and community area rows."""
    await repository.apply_deltas(session, deltas)
    known = paths or {}
    # A correction that moved a session to another connector also touches the old one.
    missing = {key[0] for key in deltas if key[0] not in known}
    if missing:
        known = {**known, **await repository.connector_paths(session, missing)}
    await repository.apply_area_deltas(session, area_deltas(deltas, known))


def area_deltas(deltas: Mapping[Any, Share], paths: Mapping[int, str]) -> dict[Any, Share]:
    """Connector (pk, day, period) figures summed per (level, path at level, day, period)."""
    levels = (repository.STREET_LEVEL, repository.COMMUNITY_LEVEL)
    # Each connector's area paths cut once (a batch has a few keys per connector).
    areas: dict[int, list[tuple[int, str]]] = {}
    sums: ShareSums = {}
    for (connector_pk, day, period), share in deltas.items():
        cut = areas.get(connector_pk)
        if cut is None:
            path = paths[connector_pk]
            cut = areas[connector_pk] = [(level, path[:level]) for level in levels]
        for level, area in cut:
            add_share(sums, (level, area, day, period), share)
    return shares_of(sums)


async def recompute(session: AsyncSession, *, tou: TimeOfUse) -> dict[Any, Share]:
    """The rollups as they should be, recomputed from every stored session."""
    sums: ShareSums = {}
    after_id = 0
    while rows := await repository.session_pages(session, after_id=after_id, limit=_REBUILD_PAGE):
        for row in rows:
            _add_contribution(sums, row._mapping, tou, +1)
        after_id = rows[-1].id
    return {key: share for key, share in shares_of(sums).items() if not share.is_zero}


async def recompute_areas(session: AsyncSession, *, tou: TimeOfUse) -> dict[Any, Share]:
    """The area rows as they should be, from sessions and the piles' current placement."""
    expected = await recompute(session, tou=tou)
    paths = await repository.connector_paths(session, {key[0] for key in expected})
    areas = area_deltas(expected, paths)
    return {key: share for key, share in areas.items() if not share.is_zero}


async def rebuild_rollups(session: AsyncSession, *, tou: TimeOfUse) -> int:
    """Replace every rollup by a recomputation from sessions (after changing the periods, or
    for sessions stored before rollups existed); returns the number of rows written."""
    expected = await recompute(session, tou=tou)
    await repository.delete_all(session)
    await _apply(session, expected)
    return len(expected)


async def energy_report(
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
) -> EnergyReport:
    """kWh, sessions, charging hours and the time-of-use split of an area, per group and
    day or month, with each group's observed share of the range up to now."""
    now = now or utc_now()
    days = resolve(granularity, first, last, today=now.astimezone(LOCAL_TZ).date(),
                   limits=settings)  # fmt: skip
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    index = await group_index(session, principal, area_row.path, group_by, with_piles=False)
    until = days.until(now)
    observed = await _observed(session, principal, index, area_row.path, days, until)
    rows = await repository.daily_totals(
        session, principal, area_path=area_row.path, first=days.first, last=days.last,
        prefix=index.prefix,
    )  # fmt: skip
    periods = time_of_use(settings).names
    cells: dict[tuple[str, str], dict[str, Share]] = {}
    for row in rows:
        key = index.key_of(row.grp)
        if key is None:
            continue
        index.note(key)
        cell = cells.setdefault((key, bucket(row.local_date, granularity)), {})
        share = Share(int(row.energy_wh), int(row.charging_seconds), int(row.sessions))
        cell[row.period] = cell.get(row.period, Share()) + share
    ordered = sorted(cells.items(), key=lambda item: (index.order(item[0][0]), item[0][1]))
    totals: dict[str, dict[str, Share]] = {key: {} for key in index.keys()}
    for (key, _), by_period in ordered:
        for period, share in by_period.items():
            totals[key][period] = totals[key].get(period, Share()) + share
    return EnergyReport(
        area=AreaRef(code=area_row.code, name=area_row.name, level=area_row.level),
        granularity=granularity, from_date=days.first, to_date=days.last, until=until,
        group_by=group_by, periods=periods,
        rows=[
            EnergyRow(group=index.ref(key), bucket=label, **_figures(by_period, periods))
            for (key, label), by_period in ordered
        ],
        totals=[
            EnergyTotal(group=index.ref(key), **_figures(totals.get(key, {}), periods),
                        **coverage_figures(*observed.get(key, (0.0, 0.0))))
            for key in index.keys()
        ],
    )  # fmt: skip


async def _observed(
    session: AsyncSession,
    principal: Principal,
    index: GroupIndex,
    area_path: str,
    days: DayRange,
    until: datetime,
) -> dict[str, tuple[float, float]]:
    """(observed, range) connector-seconds per group: a connector is observed from its first
    status report (or the range's start) up to `until`, as the utilisation counts it."""
    span = (until - days.start).total_seconds()
    sums: dict[str, tuple[float, float]] = {}
    rows = await repository.first_reports(session, principal, area_path, index.prefix, until)
    for row in rows:
        key = index.key_of(row.grp)
        if key is None:
            continue
        index.note(key)
        seen = 0.0
        if row.first_at is not None:
            seen = (until - max(days.start, as_utc(row.first_at))).total_seconds()
        observed, whole = sums.get(key, (0.0, 0.0))
        sums[key] = (observed + seen, whole + span)
    return sums


async def energy_by_group(
    session: AsyncSession, principal: Principal, index: GroupIndex, area_path: str, days: DayRange
) -> dict[str, dict[str, Share]]:
    """Each group's energy over the range, by period (for guidance and siting)."""
    rows = await repository.daily_totals(
        session, principal, area_path=area_path, first=days.first, last=days.last,
        prefix=index.prefix,
    )  # fmt: skip
    totals: dict[str, dict[str, Share]] = {key: {} for key in index.keys()}
    for row in rows:
        key = index.key_of(row.grp)
        if key is not None:
            index.note(key)
            share = Share(int(row.energy_wh), int(row.charging_seconds), int(row.sessions))
            cell = totals.setdefault(key, {})
            cell[row.period] = cell.get(row.period, Share()) + share
    return totals


def _figures(by_period: Mapping[str, Share], periods: Sequence[str]) -> dict[str, Any]:
    total = sum(by_period.values(), Share())
    return {
        "energy_kwh": total.energy_wh / 1000,
        "sessions": total.sessions,
        "charging_hours": round(total.charging_seconds / 3600, 3),
        "by_period": {
            period: by_period.get(period, Share()).energy_wh / 1000
            for period in sorted({*periods, *by_period})
        },
    }
