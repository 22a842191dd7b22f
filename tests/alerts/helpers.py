"""Status reports recorded as the hub would have recorded them, for tests that watch alerts
(and the changes they publish) follow the colours."""

from __future__ import annotations

from app.core.config import ColourRules
from app.core.db import Database
from app.status import service as status_service
from app.status.schemas import StatusReport

RULES = ColourRules()


async def record(database: Database, *reports: StatusReport, rules: ColourRules = RULES) -> None:
    """Record as the hub would have when the last of these reports arrived."""
    now = max(r.received_at or r.observed_at for r in reports)
    async with database.session(write=True) as session:
        await status_service.record_status_reports(session, list(reports), rules=rules, now=now)
