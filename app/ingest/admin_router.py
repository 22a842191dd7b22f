"""What the hub refused from operators (the quarantine), for the staff who onboard them
(`operators:manage`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.deps import OperatorsManage
from app.core.deps import LogPageDep, SessionDep
from app.core.problem import problem_responses
from app.ingest import quarantine
from app.ingest.schemas import QuarantinePage

router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/quarantine", response_model=QuarantinePage, responses=problem_responses(400, 422))
async def list_quarantine(
    session: SessionDep,
    principal: OperatorsManage,
    page: LogPageDep,
    operator_id: Annotated[str | None, Query(pattern=r"^[0-9A-Z]{9}$")] = None,
) -> QuarantinePage:
    """List records the hub refused, with the reason, newest first."""
    return await quarantine.list_quarantine(session, operator_id=operator_id, page=page)
