"""Background jobs: for now the colour sweep that applies the time-based board rules.

`pilehub worker` runs this loop in its own process; `pilehub demo` runs it inside the API
process (the embedded default has one process).
"""

from __future__ import annotations

import asyncio

import structlog

from app.core.config import Settings
from app.core.db import Database
from app.core.time import utc_now
from app.status import service as status_service

log = structlog.get_logger(__name__)


async def sweep_once(database: Database, settings: Settings) -> int:
    async with database.session(write=True) as session:
        return await status_service.sweep_colours(session, rules=settings.colour, now=utc_now())


async def run_worker(database: Database, settings: Settings, stop: asyncio.Event) -> None:
    interval = settings.colour_sweep_interval.total_seconds()
    log.info("worker started", colour_sweep_seconds=interval)
    while not stop.is_set():
        try:
            changed = await sweep_once(database, settings)
            if changed:
                log.info("colour sweep", piles_changed=changed)
        except Exception:
            # A failed sweep is retried at the next tick; the loop itself must not die.
            log.exception("colour sweep failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except TimeoutError:
            pass
    log.info("worker stopped")
