"""Background jobs: the colour sweep (time-based board rules), the ingest schedule and the
webhook dispatcher (its own task: it polls the change log every `webhooks.poll_interval`).

`pilehub worker` runs this loop in its own process; `pilehub demo` runs it inside the API
process (the embedded default has one process).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog

from app.core.config import Settings
from app.core.db import Database
from app.core.gc_freeze import freeze_startup_heap
from app.core.time import utc_now
from app.core.vault import SecretVault
from app.ingest.schedule import pull_due_operators
from app.status import service as status_service
from app.webhooks.dispatcher import Dispatcher

log = structlog.get_logger(__name__)


@dataclass
class Job:
    name: str
    interval: float
    run: Callable[[], Awaitable[object]]
    due_at: float = 0.0


async def sweep_once(database: Database, settings: Settings) -> int:
    async with database.session(write=True) as session:
        return await status_service.sweep_colours(session, rules=settings.colour, now=utc_now())


def jobs_for(database: Database, settings: Settings) -> list[Job]:
    vault = SecretVault(settings.secret_key.get_secret_value())
    return [
        Job(
            "colour-sweep",
            settings.colour_sweep_interval.total_seconds(),
            lambda: sweep_once(database, settings),
        ),
        Job(
            "ingest",
            settings.ingest_tick_interval.total_seconds(),
            lambda: pull_due_operators(database, vault, settings),
            due_at=time.monotonic() + settings.ingest_start_delay.total_seconds(),
        ),
    ]


async def run_worker(database: Database, settings: Settings, stop: asyncio.Event) -> None:
    jobs = jobs_for(database, settings)
    freeze_startup_heap(settings)
    log.info("worker started", jobs={job.name: job.interval for job in jobs})
    dispatcher = asyncio.create_task(Dispatcher(database, settings).run(stop))
    try:
        await _loop(jobs, stop)
    finally:
        stop.set()
        await dispatcher
    log.info("worker stopped")


async def _loop(jobs: list[Job], stop: asyncio.Event) -> None:
    while not stop.is_set():
        for job in jobs:
            if time.monotonic() >= job.due_at:
                await _run(job)
                job.due_at = time.monotonic() + job.interval
        next_due = min(job.due_at for job in jobs) - time.monotonic()
        try:
            await asyncio.wait_for(stop.wait(), timeout=max(next_due, 0.05))
        except TimeoutError:
            pass


async def _run(job: Job) -> None:
    try:
        result = await job.run()
        if isinstance(result, int) and result:
            log.info("job done", job=job.name, changed=result)
    except Exception:
        # A failed run is retried at its next tick; the loop itself must not die.
        log.exception("job failed", job=job.name)
