"""Client management under `clients:manage`: register, list, rotate a secret, disable.

A manager sees and manages only clients of its own area, and grants only scopes it holds.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from app.auth.deps import ClientsManage
from app.auth.trust import AUTH_STATE, AuthState
from app.core.deps import RegistryPageDep, SessionDep, WriteSessionDep
from app.core.errors import BadRequest, NotFound
from app.core.pagination import next_cursor
from app.core.problem import problem_responses
from app.oauth import service
from app.oauth.schemas import ClientCreate, ClientCredentials, ClientPage, ClientPublic

router = APIRouter(prefix="/admin/clients", tags=["admin"])


@router.post("", response_model=ClientCredentials, status_code=201,
             responses=problem_responses(400, 401, 403, 404, 422))  # fmt: skip
async def create_client(
    data: ClientCreate, session: WriteSessionDep, principal: ClientsManage
) -> ClientCredentials:
    """Register a client for a tier and area; its secret is in this answer only."""
    try:
        created = await service.create_client(
            session, principal, name=data.name, tier=data.tier, area_code=data.area,
            scopes={str(scope) for scope in data.scopes} if data.scopes is not None else None,
            jwks=data.jwks, resource_server=data.resource_server,
        )  # fmt: skip
    except service.ClientRefused as refused:
        raise BadRequest(str(refused)) from None
    return ClientCredentials(**ClientPublic.of(created.client).model_dump(),
                             client_secret=created.secret)  # fmt: skip


@router.get("", response_model=ClientPage, responses=problem_responses(400, 401, 403, 422))
async def list_clients(
    session: SessionDep, principal: ClientsManage, page: RegistryPageDep
) -> ClientPage:
    """Clients registered inside your area, oldest first."""
    rows = await service.list_clients(
        session, principal, after_id=page.after_id, limit=page.fetch_limit
    )
    shown, more = page.cut(list(rows))
    return ClientPage(
        items=[ClientPublic.of(row) for row in shown],
        next_cursor=next_cursor(shown[-1].id if shown else None, more),
    )


@router.post("/{client_id}/rotate", response_model=ClientCredentials,
             responses=problem_responses(400, 401, 403, 404))  # fmt: skip
async def rotate_secret(
    client_id: str, session: WriteSessionDep, principal: ClientsManage
) -> ClientCredentials:
    """A new secret (the old one stops working at once); in this answer only."""
    try:
        rotated = await service.rotate_secret(session, principal, client_id)
    except LookupError:
        raise NotFound(f"No client {client_id} in your area.") from None
    except service.ClientRefused as refused:
        raise BadRequest(str(refused)) from None
    return ClientCredentials(**ClientPublic.of(rotated.client).model_dump(),
                             client_secret=rotated.secret)  # fmt: skip


@router.post("/{client_id}/disable", response_model=ClientPublic,
             responses=problem_responses(401, 403, 404))  # fmt: skip
async def disable_client(
    client_id: str,
    session: WriteSessionDep,
    auth_state: Annotated[AuthState, Depends(AUTH_STATE.dependency)],
    principal: ClientsManage,
) -> ClientPublic:
    """No new tokens from now; its live tokens are refused everywhere within seconds."""
    try:
        client = await service.disable_client(session, principal, client_id)
    except LookupError:
        raise NotFound(f"No client {client_id} in your area.") from None
    auth_state.invalidate()  # this process at once; the others at their next refresh
    return ClientPublic.of(client)
