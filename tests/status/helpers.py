"""Status reports for tests, recorded through the real status service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.core.config import ColourRules
from app.core.db import Database
from app.status import service
from app.status.schemas import Outcome, StatusReport
from tests.fixtures.factories import OPERATOR, create_pile

RULES = ColourRules()
T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def report(connector_id: str, code: int, minutes: float = 0, **extra: object) -> StatusReport:
    fields: dict[str, Any] = {
        "operator_id": OPERATOR,
        "connector_id": connector_id,
        "code": code,
        "observed_at": T0 + timedelta(minutes=minutes),
        "received_at": T0 + timedelta(minutes=minutes, seconds=3),
    }
    return StatusReport(**(fields | extra))


async def record(
    database: Database, *reports: StatusReport, now: datetime | None = None
) -> list[Outcome]:
    async with database.session(write=True) as session:
        results = await service.record_status_reports(
            session, list(reports), rules=RULES, now=now or T0 + timedelta(hours=1)
        )
    return [r.outcome for r in results]


async def new_pile(database: Database, connectors: int = 1) -> list[str]:
    async with database.session(write=True) as session:
        return await create_pile(session, connectors=connectors)
