"""Wall screens under `clients:manage`: approve or deny a screen's user code, list and revoke
screens. A manager acts only inside its own area (elsewhere is 404), and grants only read
scopes it holds itself."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app.auth.deps import ClientsManage
from app.auth.trust import AUTH_STATE, AuthState
from app.core.deps import RegistryPageDep, SessionDep, WriteSessionDep
from app.core.errors import BadRequest, NotFound
from app.core.pagination import next_cursor
from app.core.problem import problem_responses
from app.jurisdictions.errors import AreaNotFound
from app.oauth import screen_service
from app.oauth.schemas import ScreenApprove, ScreenDeny, ScreenPage, ScreenPublic

router = APIRouter(prefix="/admin/screens", tags=["admin"])
_NO_CODE = "No pending screen with that user code (it may have expired)."


@router.post("", response_model=ScreenPublic, status_code=201,
             responses=problem_responses(400, 401, 403, 404, 422))  # fmt: skip
async def approve_screen(
    data: ScreenApprove, session: WriteSessionDep, principal: ClientsManage
) -> ScreenPublic:
    """Approve the user code a wall screen shows, for an area inside yours: its next poll
    of the token endpoint gets its tokens."""
    try:
        screen = await screen_service.approve(
            session, principal, user_code=data.user_code, area_code=data.area,
            scopes={str(scope) for scope in data.scopes} if data.scopes is not None else None,
            name=data.name,
        )  # fmt: skip
    except LookupError:
        raise NotFound(_NO_CODE) from None
    except AreaNotFound as missing:
        raise NotFound(str(missing)) from None
    except screen_service.ScreenRefused as refused:
        raise BadRequest(str(refused)) from None
    return ScreenPublic.of(screen)


@router.post("/deny", status_code=204, responses=problem_responses(401, 403, 404, 422))
async def deny_screen(
    data: ScreenDeny, session: WriteSessionDep, principal: ClientsManage
) -> Response:
    """Refuse a user code: the screen's next poll gets `access_denied`."""
    try:
        await screen_service.deny(session, principal, user_code=data.user_code)
    except LookupError:
        raise NotFound(_NO_CODE) from None
    return Response(status_code=204)


@router.get("", response_model=ScreenPage, responses=problem_responses(400, 401, 403, 422))
async def list_screens(
    session: SessionDep, principal: ClientsManage, page: RegistryPageDep
) -> ScreenPage:
    """Screens approved inside your area, oldest first (revoked ones too)."""
    rows = await screen_service.list_screens(
        session, principal, after_id=page.after_id, limit=page.fetch_limit
    )
    shown, more = page.cut(list(rows))
    return ScreenPage(
        items=[ScreenPublic.of(row) for row in shown],
        next_cursor=next_cursor(shown[-1].id if shown else None, more),
    )


@router.post("/{screen_id}/revoke", response_model=ScreenPublic,
             responses=problem_responses(401, 403, 404))  # fmt: skip
async def revoke_screen(
    screen_id: str,
    session: WriteSessionDep,
    auth_state: Annotated[AuthState, Depends(AUTH_STATE.dependency)],
    principal: ClientsManage,
) -> ScreenPublic:
    """End a screen: its refresh token at once, its access tokens everywhere within seconds."""
    try:
        screen = await screen_service.revoke(session, principal, screen_id)
    except LookupError:
        raise NotFound(f"No screen {screen_id} in your area.") from None
    auth_state.invalidate()  # this process at once; the others at their next refresh
    return ScreenPublic.of(screen)
