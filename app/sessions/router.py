"""Charging sessions (session-level data): every read is audited; vendors get pseudonyms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime

from app.audit.marks import audit_read
from app.auth.deps import SessionsRead
from app.core.deps import SETTINGS, LogPageDep, SessionDep
from app.core.problem import problem_responses
from app.core.time import instant
from app.jurisdictions.schemas import AreaQuery
from app.sessions import service
from app.sessions.schemas import SessionPage

router = APIRouter(tags=["sessions"])

_QUARTER = " Vendors select by quarter hour: a bound inside one counts from the next."
FROM = instant("Sessions that started at or after this." + _QUARTER)
TO = instant("Sessions that started before this." + _QUARTER)


@router.get("/sessions", response_model=SessionPage, responses=problem_responses(400, 404, 422))
async def list_sessions(
    request: Request,
    session: SessionDep,
    principal: SessionsRead,
    page: LogPageDep,
    area: AreaQuery = None,
    started_from: Annotated[AwareDatetime | None, Query(alias="from", description=FROM)] = None,
    started_before: Annotated[AwareDatetime | None, Query(alias="to", description=TO)] = None,
) -> SessionPage:
    """Charging sessions that started in [from, to) on piles of the area, in a stable order.

    Vendors get no order ids and no money, stable per-vendor pseudonyms for connector and
    pile ids, and times in quarter hours (the vendors' data contract in the README). Every
    read is recorded in the audit log with its row count.
    """
    answer = await service.list_sessions(
        session, principal, area=area, started_from=started_from,
        started_before=started_before, page=page,
        secret_key=SETTINGS.of(request).secret_key.get_secret_value(),
    )  # fmt: skip
    audit_read(request, rows=len(answer.items))
    return answer
