"""Sessions for analytics tests, written through the real session service."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.core.config import ColourRules
from app.core.db import Database
from app.core.time import LOCAL_TZ
from app.sessions import service as sessions_service
from app.sessions.schemas import ChargeOrderRecord
from app.status import service as status_service
from app.status.schemas import StatusReport
from tests.fixtures.factories import OPERATOR, create_pile

_seq = iter(range(1, 10**9))


async def charge(
    database: Database,
    connector_id: str,
    start: datetime,
    hours: float,
    energy_wh: int,
    *,
    seq: str | None = None,
) -> None:
    order = ChargeOrderRecord(
        operator_id=OPERATOR,
        start_charge_seq=seq or f"T{next(_seq)}",
        connector_id=connector_id,
        start_at=start,
        end_at=start + timedelta(hours=hours),
        energy_wh=energy_wh,
    )
    async with database.session(write=True) as session:
        await sessions_service.record_charge_orders(
            session, [order], now=start + timedelta(days=60)
        )


async def report_statuses(
    database: Database, connector_id: str, changes: list[tuple[datetime, int]]
) -> None:
    """Status reports (T/CEC codes) through the real status service, one batch."""
    reports = [
        StatusReport(operator_id=OPERATOR, connector_id=connector_id, code=code, observed_at=at)
        for at, code in changes
    ]
    async with database.session(write=True) as session:
        await status_service.record_status_reports(
            session, reports, rules=ColourRules(), now=max(at for at, _ in changes)
        )


XINJING3, CHENGJIAQIAO = "310105011001", "310105010001"
EVENING = datetime(2026, 10, 31, 21, 0, tzinfo=LOCAL_TZ)  # 21:00 → 01:00 across midnight


async def charged_piles(database: Database) -> tuple[list[str], list[str]]:
    async with database.session(write=True) as session:
        ours = await create_pile(session, community=XINJING3)
        theirs = await create_pile(session, community=CHENGJIAQIAO)
    await charge(database, ours[0], EVENING, 4, 8000)  # 31 Oct: 2 kWh peak, 4 valley; 1 Nov: 2
    await charge(database, ours[0], datetime(2026, 11, 2, 9, tzinfo=LOCAL_TZ), 2, 5000)
    await charge(database, theirs[0], datetime(2026, 11, 3, 23, tzinfo=LOCAL_TZ), 1, 3000)
    return ours, theirs
