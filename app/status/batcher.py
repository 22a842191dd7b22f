"""Group commit for status reports arriving one per request (T/CEC pushes).

A push carries one connector status. Recording each in its own transaction costs a dozen
statements and a commit per push, and on SQLite every writer waits for the write lock in
turn. The batcher records whatever pushes are waiting as one batch in one transaction (the
batch service has a fixed number of statements whatever the size), so under load the cost per
push falls as the batch grows, and at low load a push waits for nobody: there is no timer, a
batch is simply everything that queued while the previous one was being written.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from app.core.config import ColourRules
from app.core.db import Database
from app.core.parts import ProcessPart
from app.core.time import utc_now
from app.status import service
from app.status.schemas import RecordResult, StatusReport


@dataclass
class PendingReports:
    reports: list[StatusReport]
    done: asyncio.Future[list[RecordResult]] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class StatusBatcher:
    def __init__(self, database: Database, rules: ColourRules, *, max_batch: int = 1000) -> None:
        self._database, self._rules, self._max_batch = database, rules, max_batch
        self._waiting: list[PendingReports] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, reports: list[StatusReport]) -> list[RecordResult]:
        """Record these reports (in some batch); their results, in order."""
        waiting = PendingReports(reports)
        self._waiting.append(waiting)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        return await waiting.done

    async def _write_all(self) -> None:
        # Runs until nothing is waiting, then ends: no idle task outlives the traffic.
        while self._waiting:
            batch: list[PendingReports] = []
            size = 0
            while self._waiting and (
                not batch or size + len(self._waiting[0].reports) <= self._max_batch
            ):
                waiting = self._waiting.pop(0)
                batch.append(waiting)
                size += len(waiting.reports)
            await self._write(batch)

    async def _write(self, batch: list[PendingReports]) -> None:
        reports = [report for waiting in batch for report in waiting.reports]
        try:
            async with self._database.session(write=True) as session:
                results = await service.record_status_reports(
                    session, reports, rules=self._rules, now=utc_now()
                )
        except Exception as error:  # every waiting push answers "system error"
            for waiting in batch:
                if not waiting.done.done():
                    waiting.done.set_exception(error)
            return
        start = 0
        for waiting in batch:
            end = start + len(waiting.reports)
            if not waiting.done.done():
                waiting.done.set_result(results[start:end])
            start = end


# The group commit of pushed statuses of this process.
STATUS_BATCHER: ProcessPart[StatusBatcher] = ProcessPart("status_batcher")
