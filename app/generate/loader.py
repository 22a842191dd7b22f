"""Writing a generated city: the registry street by street through the real services, then
sessions day by day, each day in its own transaction, so an interrupted run resumes after
the last complete day.

Sessions are bulk-loaded (COPY on PostgreSQL), not sent through the charge-order service:
a year of a city is ten million orders, and the service's per-order work (rules, change
events, idempotency lookups) is pointless for rows made plausible and unique by
construction. Their rollups go through the same `energy_service.follow_sessions` as live
ingest, in the same transaction as the rows, so they equal a recomputation from sessions.
Generated sessions write no change events: they are history, not news.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.core.config import EnergySettings
from app.core.db import Database, refresh_statistics
from app.energy import service as energy_service
from app.generate import repository
from app.generate.plan import (
    CITY,
    OPERATOR_ID,
    CityPlan,
    GeneratedSession,
    StreetPlan,
    connector_ids,
    day_of_seq,
    day_seq_prefix,
    day_sessions,
    streets,
)
from app.jurisdictions import service as jurisdictions_service
from app.models import JurisdictionLevel
from app.operators import service as operators_service
from app.piles import service as piles_service

Progress = Callable[[str, int], None]
"""Called with ("streets" | "days", how many more are done)."""

BATCH = 30_000  # sessions per statement (a full-city day is 27,400): rollup deltas of a day are
# summed before they are written, and arrays stay bounded; one transaction per day
SESSION_TABLES = ("charging_session", "energy_rollup", "energy_area_rollup")


@dataclass(frozen=True, slots=True)
class Generated:
    streets_written: int
    days_written: int
    sessions_written: int
    resumed_from_day: int


async def generate_city(
    database: Database,
    plan: CityPlan,
    *,
    today: date,
    energy: EnergySettings,
    progress: Progress = lambda _kind, _n: None,
    day_indexes: range | None = None,
) -> Generated:
    """Write the plan, or only the days in `day_indexes` (0 is the first day): processes given
    disjoint ranges can generate one city side by side, each resuming within its range."""
    wanted = day_indexes if day_indexes is not None else range(plan.days)
    async with database.session(write=True) as session:
        # Existing units (the demo's) keep their names: only missing ones are created.
        if await jurisdictions_service.find_jurisdiction(session, CITY) is None:
            await jurisdictions_service.ensure_jurisdiction(
                session, code=CITY, name="上海市", level=JurisdictionLevel.CITY, parent_code=None
            )
        await operators_service.ensure_operator(
            session, operator_id=OPERATOR_ID, name="synthetic city operator"
        )
    written = 0
    for number, street in enumerate(streets(plan), start=1):
        if await _write_street(database, street):
            written += 1
            if number & (number - 1) == 0:  # after streets 1, 2, 4, 8, ...: the tables doubled
                async with database.session(write=True) as session:
                    await piles_service.refresh_registry_statistics(session)
        progress("streets", 1)
    connectors = connector_ids(plan)
    async with database.session() as session:
        seq = await repository.last_seq(
            session,
            OPERATOR_ID,
            below=day_seq_prefix(wanted.stop),
            at_least=day_seq_prefix(wanted.start),
        )
        operator_pk, pks = await repository.connector_pks(session, OPERATOR_ID)
    start = wanted.start if seq is None else day_of_seq(seq) + 1
    progress("days", start - wanted.start)
    tou = energy_service.time_of_use(energy)
    first = plan.first_day(today)
    sessions = 0
    for index in range(start, wanted.stop):
        generated = day_sessions(plan, connectors, index, first + timedelta(days=index))
        async with database.session(write=True) as session:
            for offset in range(0, len(generated), BATCH):
                rows = [_row(g, operator_pk, pks) for g in generated[offset : offset + BATCH]]
                await repository.insert_sessions(session, rows)
                await energy_service.follow_sessions(
                    session, [(None, row) for row in rows], tou=tou
                )
        sessions += len(generated)
        if (index + 1) & index == 0:  # after days 1, 2, 4, 8, ...: the tables doubled
            async with database.session(write=True) as session:
                await refresh_statistics(session, SESSION_TABLES)
        progress("days", 1)
    return Generated(written, wanted.stop - start, sessions, start)


def _row(generated: GeneratedSession, operator_pk: int, pks: dict[str, int]) -> dict[str, Any]:
    # Stamped as received at the session's end: the history looks as if it arrived live.
    return {
        "operator_pk": operator_pk,
        "start_charge_seq": generated.start_charge_seq,
        "connector_pk": pks[generated.connector_id],
        "start_at": generated.start_at,
        "end_at": generated.end_at,
        "energy_wh": generated.energy_wh,
        "details": [],
        "received_at": generated.end_at,
        "updated_at": generated.end_at,
    }


async def _write_street(database: Database, street: StreetPlan) -> bool:
    """The street, its communities and stations in one transaction; False if already there."""
    async with database.session(write=True) as session:
        if await jurisdictions_service.find_jurisdiction(session, street.street) is not None:
            return False
        if await jurisdictions_service.find_jurisdiction(session, street.district) is None:
            await jurisdictions_service.ensure_jurisdiction(
                session, code=street.district, name=f"合成区 {street.district}",
                level=JurisdictionLevel.DISTRICT, parent_code=CITY, synthetic=True,
            )  # fmt: skip
        await jurisdictions_service.ensure_jurisdiction(
            session, code=street.street, name=f"合成街道 {street.street}",
            level=JurisdictionLevel.STREET, parent_code=street.district, synthetic=True,
        )  # fmt: skip
        for code, station in street.communities:
            await jurisdictions_service.ensure_jurisdiction(
                session, code=code, name=f"合成小区 {code}", level=JurisdictionLevel.COMMUNITY,
                parent_code=street.street, synthetic=True,
            )  # fmt: skip
            await piles_service.register_station(session, station)
    return True
