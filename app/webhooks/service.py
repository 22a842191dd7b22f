"""Webhook and robot-channel use cases: register (SSRF-checked, secret shown once), list,
change, delete, rotate the secret, replay a time range, list deliveries (dead letters)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.changelog import repository as events_repository
from app.changelog.kinds import Kind
from app.core.config import WebhookSettings
from app.core.pagination import PageParams, next_cursor
from app.core.paths import codes_of
from app.core.time import utc_now
from app.core.vault import SecretVault
from app.jurisdictions import service as jurisdictions_service
from app.models import WebhookDelivery, WebhookEndpoint
from app.webhooks import kinds, repository, signing
from app.webhooks.errors import (
    EndpointNotFound,
    KindsNeedScope,
    UnknownEventKinds,
    UnsafeTargetURL,
)
from app.webhooks.schemas import (
    ChannelCreate,
    DeliveryPage,
    DeliveryPublic,
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
from app.webhooks.ssrf import Resolver, UnsafeTarget, vet


@dataclass(slots=True)
class Target:
    """An endpoint's URL and signing secrets (current first), decrypted. Its repr hides them:
    tracebacks that print locals must not leak a robot key or a secret."""

    url: str
    secrets: list[str]

    def __repr__(self) -> str:
        return "Target(***)"

    def seal(self, vault: SecretVault) -> str:
        return vault.seal({"url": self.url, "secrets": self.secrets})


def sealed_target(vault: SecretVault, endpoint: WebhookEndpoint) -> Target:
    opened = vault.open(endpoint.sealed)
    return Target(url=opened["url"], secrets=list(opened["secrets"]))


def url_hint(url: str) -> str:
    parsed = httpx.URL(url)
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}{parsed.path}"[:300]


async def _checked_url(url: str, settings: WebhookSettings, resolve: Resolver | None) -> str:
    try:
        await vet(url, allowed=settings.allowed_networks, resolve=resolve)
    except UnsafeTarget as exc:
        raise UnsafeTargetURL(f"The URL is not allowed: {exc}.") from None
    return url


def _checked_kinds(principal: Principal, patterns: Sequence[str], kind: EndpointKind) -> list[str]:
    patterns = list(dict.fromkeys(patterns))
    bad = kinds.unknown(patterns)
    if kind is EndpointKind.WECOM:  # robots post alerts only
        bad += [p for p in patterns if not Kind.is_alert(p) and p not in bad]
    if bad:
        raise UnknownEventKinds(
            f"Unknown event kinds {bad}; known: {sorted(kinds.KINDS)} or a family like alert.*."
        )
    missing = kinds.scopes_needed(patterns) - principal.scopes
    if missing:
        raise KindsNeedScope(f"These event kinds need the {sorted(missing)} scope.")
    return patterns


def public(endpoint: WebhookEndpoint) -> EndpointPublic:
    assert endpoint.id is not None
    return EndpointPublic(
        id=endpoint.id, kind=EndpointKind(endpoint.kind), area=endpoint.area_code,
        event_kinds=endpoint.event_kinds, url_hint=endpoint.url_hint,
        description=endpoint.description, enabled=endpoint.enabled,
        disabled_reason=endpoint.disabled_reason, failing_since=endpoint.failing_since,
        previous_secret_until=endpoint.previous_until,
        created_at=endpoint.created_at, updated_at=endpoint.updated_at,
    )  # fmt: skip


async def _create(
    session: AsyncSession, principal: Principal, vault: SecretVault, *, kind: EndpointKind,
    url: str, area: str | None, patterns: list[str], description: str,
) -> EndpointCreated:  # fmt: skip
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    secret = signing.new_secret() if kind is EndpointKind.WEBHOOK else None
    sealed = Target(url, [secret] if secret else []).seal(vault)
    endpoint = WebhookEndpoint(
        kind=kind.value, owner=principal.subject, area_path=area_row.path,
        area_code=codes_of(area_row.path)[-1], event_kinds=patterns, description=description,
        url_hint=url_hint(url), sealed=sealed,
        # From now on: earlier events are there for replay.
        cursor=await events_repository.latest_id(session),
    )  # fmt: skip
    await repository.save(session, endpoint)
    return EndpointCreated(**public(endpoint).model_dump(), secret=secret)


async def create_webhook(
    session: AsyncSession, principal: Principal, vault: SecretVault, settings: WebhookSettings,
    data: WebhookCreate, *, resolve: Resolver | None = None,
) -> EndpointCreated:  # fmt: skip
    """Subscribe a URL to event kinds of an area; the signing secret is in the answer only."""
    patterns = _checked_kinds(principal, data.event_kinds, EndpointKind.WEBHOOK)
    url = await _checked_url(data.url, settings, resolve)
    return await _create(
        session,
        principal,
        vault,
        kind=EndpointKind.WEBHOOK,
        url=url,
        area=data.area,
        patterns=patterns,
        description=data.description,
    )


async def create_channel(
    session: AsyncSession, principal: Principal, vault: SecretVault, settings: WebhookSettings,
    data: ChannelCreate, *, resolve: Resolver | None = None,
) -> EndpointCreated:  # fmt: skip
    """Post an area's alerts to a WeCom group robot."""
    patterns = _checked_kinds(principal, data.alert_kinds, EndpointKind.WECOM)
    url = await _checked_url(data.url, settings, resolve)
    return await _create(
        session,
        principal,
        vault,
        kind=EndpointKind.WECOM,
        url=url,
        area=data.area,
        patterns=patterns,
        description=data.description,
    )


async def _visible(
    session: AsyncSession, principal: Principal, kind: EndpointKind, endpoint_id: int
) -> WebhookEndpoint:
    endpoint = await repository.get_visible(session, principal, endpoint_id, kind.value)
    if endpoint is None:
        raise EndpointNotFound(f"No {kind.value} {endpoint_id} in your area.")
    return endpoint


async def list_endpoints(
    session: AsyncSession, principal: Principal, kind: EndpointKind, page: PageParams
) -> EndpointPage:
    rows = await repository.list_visible(
        session, principal, kind.value, after_id=page.after_id, limit=page.fetch_limit
    )
    shown, more = page.cut(rows)
    items = [public(row) for row in shown]
    return EndpointPage(items=items, next_cursor=next_cursor(items[-1].id if items else None, more))


async def get_endpoint(
    session: AsyncSession, principal: Principal, kind: EndpointKind, endpoint_id: int
) -> EndpointPublic:
    return public(await _visible(session, principal, kind, endpoint_id))


async def update_endpoint(
    session: AsyncSession, principal: Principal, vault: SecretVault, settings: WebhookSettings,
    kind: EndpointKind, endpoint_id: int, data: EndpointUpdate, *,
    resolve: Resolver | None = None,
) -> EndpointPublic:  # fmt: skip
    endpoint = await _visible(session, principal, kind, endpoint_id)
    if data.event_kinds is not None:
        endpoint.event_kinds = _checked_kinds(principal, data.event_kinds, kind)
    if data.url is not None:
        target = sealed_target(vault, endpoint)
        target.url = await _checked_url(data.url, settings, resolve)
        endpoint.sealed, endpoint.url_hint = target.seal(vault), url_hint(data.url)
    if data.description is not None:
        endpoint.description = data.description
    if data.enabled is not None:
        endpoint.enabled = data.enabled
        endpoint.disabled_reason = None if data.enabled else f"disabled by {principal.subject}"
        endpoint.failing_since = None
    endpoint.updated_at = utc_now()
    return public(await repository.save(session, endpoint))


async def delete_endpoint(
    session: AsyncSession, principal: Principal, kind: EndpointKind, endpoint_id: int
) -> None:
    await repository.delete(session, await _visible(session, principal, kind, endpoint_id))


async def rotate_secret(
    session: AsyncSession, principal: Principal, vault: SecretVault, settings: WebhookSettings,
    endpoint_id: int, data: RotateSecret,
) -> EndpointCreated:  # fmt: skip
    """A new signing secret (in the answer only); the old one signs too during the overlap."""
    endpoint = await _visible(session, principal, EndpointKind.WEBHOOK, endpoint_id)
    target, now = sealed_target(vault, endpoint), utc_now()
    overlap = data.overlap(settings.rotation_overlap)
    secret = signing.new_secret()
    target.secrets = [secret] + (target.secrets[:1] if overlap else [])
    endpoint.sealed = target.seal(vault)
    endpoint.previous_until = now + overlap if overlap else None
    endpoint.updated_at = now
    await repository.save(session, endpoint)
    return EndpointCreated(**public(endpoint).model_dump(), secret=secret)


def signing_secrets(target: Target, endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous during its overlap."""
    secrets = target.secrets
    overlap = endpoint.previous_until is not None and now < endpoint.previous_until
    return secrets[:2] if overlap else secrets[:1]


async def replay(
    session: AsyncSession, principal: Principal, kind: EndpointKind, endpoint_id: int,
    data: Replay,
) -> ReplayAccepted:  # fmt: skip
    """Queue an endpoint's events of a time range again, keeping their webhook-ids (events
    after the endpoint's cursor are on their way anyway)."""
    endpoint = await _visible(session, principal, kind, endpoint_id)
    assert endpoint.id is not None
    events = await repository.events_between(
        session, endpoint.area_path, data.since, data.until, endpoint.cursor
    )
    rows = [
        {"endpoint_id": endpoint.id, "event_id": event.id, "subject": event.subject,
         "state": "pending", "attempts": 0, "next_attempt_at": utc_now(), "created_at": utc_now()}
        for event in events if kinds.matches(endpoint.event_kinds, event.kind)
    ]  # fmt: skip
    await repository.requeue(session, rows, utc_now())
    return ReplayAccepted(requeued=len(rows))


def delivery_public(row: WebhookDelivery) -> DeliveryPublic:
    assert row.id is not None
    return DeliveryPublic(
        id=row.id, webhook_id=signing.message_id(row.event_id), event_id=row.event_id,
        state=DeliveryState(row.state), attempts=row.attempts,
        next_attempt_at=row.next_attempt_at, last_status=row.last_status,
        last_error=row.last_error, created_at=row.created_at, delivered_at=row.delivered_at,
    )  # fmt: skip


async def list_deliveries(
    session: AsyncSession, principal: Principal, kind: EndpointKind, endpoint_id: int, *,
    state: DeliveryState | None, page: PageParams,
) -> DeliveryPage:  # fmt: skip
    """An endpoint's deliveries, oldest first; `state=dead` lists the dead letters."""
    endpoint = await _visible(session, principal, kind, endpoint_id)
    assert endpoint.id is not None
    rows = await repository.deliveries_page(
        session, endpoint.id, state=state.value if state else None,
        after_id=page.after_id, limit=page.fetch_limit,
    )  # fmt: skip
    shown, more = page.cut(rows)
    items = [delivery_public(row) for row in shown]
    return DeliveryPage(items=items, next_cursor=next_cursor(items[-1].id if items else None, more))
