"""Subscriptions through the API, events through the change log's own writer, reads of the
delivery table, and WeCom group robots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlmodel import col, select

from app.changelog import repository as events_repository
from app.core.db import Database
from app.core.time import utc_now
from app.models import ChangeEvent, WebhookDelivery, WebhookEndpoint
from app.webhooks.dispatcher import Dispatcher
from app.webhooks.wecom import MAX_MARKDOWN_BYTES
from tests.fixtures.factories import create_hierarchy
from tests.webhooks.conftest import FakeClock
from tests.webhooks.receiver import Answer, Received

COMMUNITY = "310105011001"
COMMUNITY_PATH = "310000/310105/310105011/310105011001/"
OTHER_PATH = "310000/310105/310105010/310105010001/"


async def hierarchy(database: Database) -> None:
    async with database.session(write=True) as session:
        await create_hierarchy(session)


async def subscribe(
    client: httpx.AsyncClient, url: str, kinds: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    body = {"url": url, "event_kinds": kinds or ["pile.colour"], **extra}
    response = await client.post("/v1/webhooks", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def log_events(
    database: Database, count: int, *, area_path: str = COMMUNITY_PATH,
    kind: str = "pile.colour", subject: str | None = None, at: datetime | None = None,
    payload: Callable[[int], dict[str, Any]] | None = None,
) -> list[int]:  # fmt: skip
    """Append `count` events as a status change would; their ids."""
    make = payload or (lambda n: {"pile_id": n, "colour": "yellow"})
    async with database.session(write=True) as session:
        before = await events_repository.latest_id(session)
        await events_repository.insert(session, [
            {"occurred_at": at or utc_now(), "kind": kind, "area_path": area_path,
             "subject": subject or f"pile:{n}", "payload": make(n)}
            for n in range(count)
        ])  # fmt: skip
        rows = await session.exec(
            select(ChangeEvent.id).where(col(ChangeEvent.id) > before).order_by(col(ChangeEvent.id))
        )
        return [row for row in rows.all() if row is not None]


async def deliveries(database: Database) -> list[WebhookDelivery]:
    async with database.session() as session:
        rows = await session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.event_id)))
        return list(rows.all())


async def endpoint(database: Database, endpoint_id: int) -> WebhookEndpoint:
    async with database.session() as session:
        row = await session.get(WebhookEndpoint, endpoint_id)
        assert row is not None
        return row


async def run_until_quiet(
    dispatcher: Dispatcher, database: Database, clock: FakeClock, *, step: float = 1.0,
    passes: int = 50,
) -> None:  # fmt: skip
    """Dispatch passes, moving the clock `step` seconds after each, until a pass attempts
    nothing and nothing is due."""
    for _ in range(passes):
        attempted = await dispatcher.run_once()
        clock.advance(timedelta(seconds=step))
        due = [d for d in await deliveries(database)
               if d.state == "pending" and d.next_attempt_at <= clock()]  # fmt: skip
        if not attempted and not due:
            return


WECOM_OK: Answer = (200, {"content-type": "application/json"}, b'{"errcode":0,"errmsg":"ok"}')


async def robot(client: httpx.AsyncClient, base: str, **extra: Any) -> dict[str, Any]:
    url = f"{base}/cgi-bin/webhook/send?key=robot-key"
    response = await client.post("/v1/channels", json={"url": url, "area": COMMUNITY, **extra})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def content(request: Received) -> str:
    body = request.json()
    assert body["msgtype"] == "markdown"
    markdown = body["markdown"]
    assert isinstance(markdown, dict)
    text: str = markdown["content"]
    assert len(text.encode()) <= MAX_MARKDOWN_BYTES
    return text
