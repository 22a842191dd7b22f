"""The ingest schedule: pull each connected operator when its interval has passed.

Runs in `pilehub worker` (and inside `pilehub demo`). With several workers on PostgreSQL an
advisory lock per operator makes each pull run once.
"""

from __future__ import annotations

from datetime import datetime

import httpx
import structlog

from app.core.config import Settings
from app.core.db import Database
from app.core.locks import job_lock
from app.core.time import LOCAL_TZ, utc_now
from app.core.vault import SecretVault
from app.ingest import repository
from app.ingest.pull import PullContext, run_pull
from app.models import IngestRun
from app.operators import service as operators_service
from app.tcec.client import TcecClient

log = structlog.get_logger(__name__)

LAST_PULL = "last_pull"
STATS_DAY = "stats_day"


async def pull_due_operators(
    database: Database,
    vault: SecretVault,
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    now: datetime | None = None,
) -> list[IngestRun]:
    """Pull every enabled operator whose interval has passed; returns the runs made."""
    now = now or utc_now()
    async with database.session() as session:
        operators = await operators_service.list_operators(session)
    runs: list[IngestRun] = []
    for operator in operators:
        if operator.enabled:
            runs += await pull_operator(
                database, vault, settings, operator.operator_id, transport=transport, now=now
            )
    return runs


async def pull_operator(
    database: Database,
    vault: SecretVault,
    settings: Settings,
    operator_id: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    now: datetime | None = None,
    force: bool = False,
) -> list[IngestRun]:
    """Pull one operator now if due (or `force`): catalogue and status; daily statistics once
    a day."""
    now = now or utc_now()
    async with job_lock(database, f"pull:{operator_id}") as acquired:
        if not acquired:
            return []
        async with database.session() as session:
            channel = await operators_service.outbound_channel(session, vault, operator_id)
            last = await repository.get_checkpoint(session, channel.operator_pk, LAST_PULL)
            stats_day = await repository.get_checkpoint(session, channel.operator_pk, STATS_DAY)
        if not force and last and datetime.fromisoformat(last) + channel.pull_interval > now:
            return []
        today = now.astimezone(LOCAL_TZ).date().isoformat()
        kinds = ["stations", "status"] + (["stats"] if stats_day != today else [])
        async with TcecClient(
            base_url=channel.base_url,
            operator_id=settings.hub_operator_id,
            secrets=channel.secrets,
            operator_secret=channel.operator_secret,
            transport=transport,
        ) as client:
            context = PullContext(database, settings, channel, client)
            runs = [await run_pull(context, kind) for kind in kinds]
        async with database.session(write=True) as session:
            await repository.set_checkpoint(
                session, channel.operator_pk, LAST_PULL, now.isoformat()
            )
            if any(run.kind == "stats" and run.status == "ok" for run in runs):
                await repository.set_checkpoint(session, channel.operator_pk, STATS_DAY, today)
        log.info(
            "pulled operator",
            operator=operator_id,
            runs={run.kind: run.status for run in runs},
        )
        return runs
