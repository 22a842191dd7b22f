from __future__ import annotations

from fastapi import APIRouter

from app.auth.deps import OperatorsManage
from app.core.deps import SessionDep, VaultDep, WriteSessionDep
from app.core.problem import problem_responses
from app.operators import service
from app.operators.schemas import OperatorOnboard, OperatorPublic

router = APIRouter(prefix="/admin", tags=["admin"])


@router.post(
    "/operators",
    response_model=OperatorPublic,
    status_code=201,
    responses=problem_responses(409, 422),
)
async def onboard_operator(
    data: OperatorOnboard, session: WriteSessionDep, vault: VaultDep, principal: OperatorsManage
) -> OperatorPublic:
    """Connect an operator platform: OperatorID, interface root, secrets for each direction.

    The secrets are stored encrypted and never returned.
    """
    return await service.onboard_operator(session, vault, data)


@router.get("/operators", response_model=list[OperatorPublic])
async def list_operators(session: SessionDep, principal: OperatorsManage) -> list[OperatorPublic]:
    """List connected operators."""
    return await service.list_operators(session)
