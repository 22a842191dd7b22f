"""`GET /v1/audit`: who wrote what and who read session-level data, within your area."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel

from app.audit import service
from app.auth.deps import AuditRead
from app.core.deps import LogPageDep, SessionDep
from app.core.pagination import next_cursor
from app.core.problem import problem_responses
from app.core.time import instant
from app.models import AuditRecord

router = APIRouter(tags=["audit"])


class AuditPage(BaseModel):
    items: list[AuditRecord]
    next_cursor: str | None


@router.get("/audit", response_model=AuditPage, responses=problem_responses(400, 422))
async def list_audit(
    session: SessionDep,
    principal: AuditRead,
    page: LogPageDep,
    client_id: Annotated[str | None, Query(max_length=40)] = None,
    since: Annotated[
        AwareDatetime | None, Query(description=instant("Records at or after this instant."))
    ] = None,
) -> AuditPage:
    """Audit records of callers inside your area, oldest first."""
    rows = await service.list_audit(
        session, principal, client_id=client_id, since=since,
        after_id=page.after_id, limit=page.fetch_limit,
    )  # fmt: skip
    shown, more = page.cut(list(rows))
    return AuditPage(
        items=list(shown), next_cursor=next_cursor(shown[-1].id if shown else None, more)
    )
