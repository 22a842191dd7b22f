"""Pulling from an operator (hub → operator): catalogue, status, daily statistics.

Each pull is an `ingest_run` with counts. Records go through the same domain services as
pushes, in one transaction per page together with the checkpoint, so a crash at any point
either keeps a page and its checkpoint or neither; upserts are idempotent, so a repeated page
changes nothing. Pulls reconcile what pushes missed.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import structlog
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.db import Database
from app.core.time import LOCAL_TZ, utc_now
from app.ingest import mapper, repository
from app.ingest.mapper import kwh_to_wh
from app.ingest.quarantine import quarantine
from app.jurisdictions.errors import AreaNotFound
from app.models import IngestRun
from app.operators.service import Channel
from app.piles import service as piles_service
from app.piles.errors import UnknownOperator
from app.sessions import reconcile
from app.status import service as status_service
from app.status.schemas import Outcome
from app.tcec.client import TcecClient
from app.tcec.errors import FeedError
from app.tcec.ret import Ret, TcecError
from app.tcec.wire import StationInfo, dump_wire

log = structlog.get_logger(__name__)

STATIONS_CHECKPOINT = "stations_last_query"
# Marks statuses learnt by polling, as opposed to the operator's own (timed) pushes.
POLL_SOURCE = "tcec:pull"
PAGE_SIZE = 50


class PullContext:
    """One pull run against one operator: the client, the run's counters, the database."""

    def __init__(
        self, database: Database, settings: Settings, channel: Channel, client: TcecClient
    ) -> None:
        self.database, self.settings, self.channel, self.client = (
            database,
            settings,
            channel,
            client,
        )
        self.counts: Counter[str] = Counter()

    async def refuse(self, session: AsyncSession, kind: str, reason: str, payload: Any) -> None:
        self.counts["rejected"] += 1
        await quarantine(
            session,
            operator_pk=self.channel.operator_pk,
            source=f"tcec:pull:{kind}",
            reason=reason,
            payload=payload,
        )


async def run_pull(context: PullContext, kind: str) -> IngestRun:
    """Run one kind of pull and record it as an ingest_run (failed runs included)."""
    async with context.database.session(write=True) as session:
        run = await repository.add_run(
            session, IngestRun(operator_pk=context.channel.operator_pk, kind=kind)
        )
    context.counts.clear()
    try:
        await PULLS[kind](context)
        run.status = "ok"
    except FeedError as error:
        run.status, run.error = "failed", str(error)[:500]
        log.warning(
            "pull failed", operator=context.channel.operator_id, kind=kind, error=str(error)
        )
    except Exception as error:
        # A database error must not leave the run "running" forever; the worker goes on.
        run.status, run.error = "failed", f"{type(error).__name__}: {error}"[:500]
        log.exception("pull failed", operator=context.channel.operator_id, kind=kind)
    run.finished_at, run.counts = utc_now(), dict(context.counts)
    async with context.database.session(write=True) as session:
        session.add(run)
    return run


async def pull_stations(context: PullContext) -> None:
    """query_stations_info, paged, incremental from the last successful pull's start; then,
    if stations came, the registry's planner statistics are refreshed (the first pull of an
    operator loads its whole catalogue, and its first status pull follows at once)."""
    started = utc_now()
    async with context.database.session() as session:
        since = await repository.get_checkpoint(
            session, context.channel.operator_pk, STATIONS_CHECKPOINT
        )
    last_query = datetime.fromisoformat(since) if since else None
    page_no = 1
    while True:
        page = await context.client.query_stations_info(
            last_query_time=last_query, page_no=page_no, page_size=PAGE_SIZE
        )
        async with context.database.session(write=True) as session:
            for info in page.station_infos:
                await _register(context, session, info)
            if page_no >= page.page_count:
                # The next pull asks for what changed since this one started.
                await repository.set_checkpoint(
                    session, context.channel.operator_pk, STATIONS_CHECKPOINT, started.isoformat()
                )
        if page_no >= page.page_count:
            break
        page_no += 1
    if context.counts["stations"]:
        async with context.database.session(write=True) as session:
            await piles_service.refresh_registry_statistics(session)


async def _register(context: PullContext, session: AsyncSession, info: StationInfo) -> None:
    context.counts["stations"] += 1
    try:
        if info.operator_id != context.channel.operator_id:
            raise TcecError(Ret.BAD_DATA, "StationInfo of another operator")
        record = mapper.station_record(info, jurisdiction_code=info.area_code)
        async with session.begin_nested():
            await piles_service.register_station(session, record)
    except TcecError as error:
        await context.refuse(session, "query_stations_info", error.msg, dump_wire(info))
    except (AreaNotFound, UnknownOperator) as error:
        await context.refuse(session, "query_stations_info", error.detail, dump_wire(info))


async def pull_status(context: PullContext) -> None:
    """query_station_status for every known station; the poll time is the observation time."""
    async with context.database.session() as session:
        station_ids = await piles_service.station_ids_of(session, context.channel.operator_pk)
    if not station_ids:
        return
    answer = await context.client.query_station_status(station_ids)
    polled_at = utc_now()
    async with context.database.session(write=True) as session:
        reports = []
        for info in answer.station_status_infos:
            try:
                reports += mapper.station_status_reports(
                    info,
                    operator_id=context.channel.operator_id,
                    observed_at=polled_at,
                    received_at=polled_at,
                    source=POLL_SOURCE,
                )
            except TcecError as error:
                await context.refuse(session, "query_station_status", error.msg, dump_wire(info))
        results = await status_service.record_status_reports(
            session, reports, rules=context.settings.colour, now=polled_at, polled=True
        )
        context.counts.update(result.outcome.value for result in results)
        for report, result in zip(reports, results, strict=True):
            if result.outcome is Outcome.REJECTED:
                reason = result.reason or "rejected"
                await context.refuse(session, "query_station_status", reason, report.as_json())


async def pull_stats(context: PullContext) -> None:
    """query_station_stats for yesterday (local); count stations whose energy disagrees."""
    yesterday = (utc_now().astimezone(LOCAL_TZ) - timedelta(days=1)).date()
    async with context.database.session() as session:
        station_ids = await piles_service.station_ids_of(session, context.channel.operator_pk)
    for station_id in station_ids:
        answer = await context.client.query_station_stats(station_id, yesterday, yesterday)
        await _reconcile(
            context, station_id, yesterday, kwh_to_wh(answer.station_stats.station_electricity)
        )


async def _reconcile(context: PullContext, station_id: str, day: date, operator_wh: int) -> None:
    async with context.database.session() as session:
        hub_wh = await reconcile.station_day_energy(
            session, context.channel.operator_pk, station_id, day
        )
    context.counts["stations_checked"] += 1
    if not reconcile.agrees(hub_wh, operator_wh):
        context.counts["stations_disagreeing"] += 1
        log.warning(
            "station energy disagrees with the operator's statistics",
            operator=context.channel.operator_id,
            station=station_id,
            day=day.isoformat(),
            hub_wh=hub_wh,
            operator_wh=operator_wh,
        )


PULLS = {"stations": pull_stations, "status": pull_status, "stats": pull_stats}
