"""`/v1/webhooks` (signed HTTP callbacks) and `/v1/channels` (WeCom group robots), all under
`webhooks:manage` and the caller's area. Secrets are shown once, at creation and rotation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.auth.deps import WebhooksManage
from app.core.deps import LogPageDep, SessionDep, SettingsDep, VaultDep, WriteSessionDep
from app.core.pagination import MAX_REGISTRY_ID
from app.core.problem import problem_responses
from app.webhooks import service
from app.webhooks.schemas import (
    ChannelCreate,
    DeliveryPage,
    DeliveryState,
    EndpointCreated,
    EndpointKind,
    EndpointPage,
    EndpointPublic,
    EndpointUpdate,
    Replay,
    ReplayAccepted,
    RotateSecret,
    WebhookCreate,
)

router = APIRouter(tags=["webhooks"])
EndpointId = Annotated[int, Path(ge=1, le=MAX_REGISTRY_ID)]
StateQuery = Annotated[DeliveryState | None, Query(description="`dead`: the dead letters.")]
WEBHOOK, WECOM = EndpointKind.WEBHOOK, EndpointKind.WECOM


@router.post("/webhooks", status_code=201, response_model=EndpointCreated,
             responses=problem_responses(403, 404, 422))  # fmt: skip
async def create_webhook(
    body: WebhookCreate,
    session: WriteSessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    principal: WebhooksManage,
) -> EndpointCreated:
    """Subscribe an https URL to event kinds of an area; the answer holds the signing secret,
    shown only this once."""
    return await service.create_webhook(session, principal, vault, settings.webhooks, body)


@router.get("/webhooks", response_model=EndpointPage, responses=problem_responses(400, 422))
async def list_webhooks(
    session: SessionDep, page: LogPageDep, principal: WebhooksManage
) -> EndpointPage:
    """Webhooks in the caller's area."""
    return await service.list_endpoints(session, principal, WEBHOOK, page)


@router.get("/webhooks/{webhook_id}", response_model=EndpointPublic,
            responses=problem_responses(404, 422))  # fmt: skip
async def get_webhook(
    webhook_id: EndpointId, session: SessionDep, principal: WebhooksManage
) -> EndpointPublic:
    """One webhook (never its URL query or secret)."""
    return await service.get_endpoint(session, principal, WEBHOOK, webhook_id)


@router.patch("/webhooks/{webhook_id}", response_model=EndpointPublic,
              responses=problem_responses(403, 404, 422))  # fmt: skip
async def update_webhook(
    webhook_id: EndpointId, body: EndpointUpdate, session: WriteSessionDep,
    vault: VaultDep, settings: SettingsDep, principal: WebhooksManage,
) -> EndpointPublic:  # fmt: skip
    """Change the URL, event kinds or description, or enable it again after a 410."""
    return await service.update_endpoint(
        session, principal, vault, settings.webhooks, WEBHOOK, webhook_id, body
    )


@router.delete("/webhooks/{webhook_id}", status_code=204, responses=problem_responses(404, 422))
async def delete_webhook(
    webhook_id: EndpointId, session: WriteSessionDep, principal: WebhooksManage
) -> None:
    """Unsubscribe; pending deliveries are dropped."""
    await service.delete_endpoint(session, principal, WEBHOOK, webhook_id)


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=EndpointCreated,
             responses=problem_responses(404, 422))  # fmt: skip
async def rotate_webhook_secret(
    webhook_id: EndpointId, body: RotateSecret, session: WriteSessionDep,
    vault: VaultDep, settings: SettingsDep, principal: WebhooksManage,
) -> EndpointCreated:  # fmt: skip
    """A new signing secret (shown only now); the old one keeps signing during the overlap,
    so deliveries carry both signatures."""
    return await service.rotate_secret(
        session, principal, vault, settings.webhooks, webhook_id, body
    )


@router.post("/webhooks/{webhook_id}/replay", status_code=202, response_model=ReplayAccepted,
             responses=problem_responses(404, 422))  # fmt: skip
async def replay_webhook(
    webhook_id: EndpointId, body: Replay, session: WriteSessionDep, principal: WebhooksManage
) -> ReplayAccepted:
    """Deliver the events of a time range again, with their original webhook-ids."""
    return await service.replay(session, principal, WEBHOOK, webhook_id, body)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=DeliveryPage,
            responses=problem_responses(400, 404, 422))  # fmt: skip
async def list_webhook_deliveries(
    webhook_id: EndpointId, session: SessionDep, page: LogPageDep, principal: WebhooksManage,
    state: StateQuery = None,
) -> DeliveryPage:  # fmt: skip
    """Deliveries of a webhook with their attempts and last error; `state=dead` lists the
    dead letters."""
    return await service.list_deliveries(
        session, principal, WEBHOOK, webhook_id, state=state, page=page
    )


@router.post("/channels", status_code=201, response_model=EndpointCreated,
             responses=problem_responses(403, 404, 422))  # fmt: skip
async def create_channel(
    body: ChannelCreate,
    session: WriteSessionDep,
    vault: VaultDep,
    settings: SettingsDep,
    principal: WebhooksManage,
) -> EndpointCreated:
    """Post an area's alerts (community, pile, colour, since when, a link) to a WeCom group
    robot; bursts are merged into digests (at most 20 messages a minute)."""
    return await service.create_channel(session, principal, vault, settings.webhooks, body)


@router.get("/channels", response_model=EndpointPage, responses=problem_responses(400, 422))
async def list_channels(
    session: SessionDep, page: LogPageDep, principal: WebhooksManage
) -> EndpointPage:
    """Robot channels in the caller's area."""
    return await service.list_endpoints(session, principal, WECOM, page)


@router.get("/channels/{channel_id}", response_model=EndpointPublic,
            responses=problem_responses(404, 422))  # fmt: skip
async def get_channel(
    channel_id: EndpointId, session: SessionDep, principal: WebhooksManage
) -> EndpointPublic:
    """One channel (never its robot key)."""
    return await service.get_endpoint(session, principal, WECOM, channel_id)


@router.patch("/channels/{channel_id}", response_model=EndpointPublic,
              responses=problem_responses(403, 404, 422))  # fmt: skip
async def update_channel(
    channel_id: EndpointId, body: EndpointUpdate, session: WriteSessionDep,
    vault: VaultDep, settings: SettingsDep, principal: WebhooksManage,
) -> EndpointPublic:  # fmt: skip
    """Change the robot URL, alert kinds or description, or enable it again."""
    return await service.update_endpoint(
        session, principal, vault, settings.webhooks, WECOM, channel_id, body
    )


@router.delete("/channels/{channel_id}", status_code=204, responses=problem_responses(404, 422))
async def delete_channel(
    channel_id: EndpointId, session: WriteSessionDep, principal: WebhooksManage
) -> None:
    """Stop posting to the robot."""
    await service.delete_endpoint(session, principal, WECOM, channel_id)


@router.get("/channels/{channel_id}/deliveries", response_model=DeliveryPage,
            responses=problem_responses(400, 404, 422))  # fmt: skip
async def list_channel_deliveries(
    channel_id: EndpointId, session: SessionDep, page: LogPageDep, principal: WebhooksManage,
    state: StateQuery = None,
) -> DeliveryPage:  # fmt: skip
    """Alerts queued for the robot and how their messages went."""
    return await service.list_deliveries(
        session, principal, WECOM, channel_id, state=state, page=page
    )
