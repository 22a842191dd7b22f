"""Posting GraphQL operations to the real app, and subscribing over its WebSocket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
from sqlmodel import select
from websockets.asyncio.client import ClientConnection, connect

from app.core.db import Database
from app.models import Alert


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON answer of one operation (HTTP 200 expected)."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def error_codes(answer: dict[str, Any]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in answer.get("errors", [])]


async def open_alert(database: Database) -> int:
    """The id of an open alert (the demo has some)."""
    async with database.session() as session:
        alert = (await session.exec(select(Alert).where(Alert.state == "open"))).first()
    assert alert is not None
    assert alert.id is not None
    return alert.id


PROTOCOL = "graphql-transport-ws"


@asynccontextmanager
async def socket(base: str, token: str | None) -> AsyncIterator[ClientConnection]:
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await ws.send(orjson.dumps({"type": "connection_init", "payload": payload}).decode())
        yield ws


async def acknowledged(ws: ClientConnection) -> None:
    assert orjson.loads(await ws.recv()) == {"type": "connection_ack"}


async def subscribe(ws: ClientConnection, op: str, query: str, **variables: Any) -> None:
    message = {"id": op, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    await ws.send(orjson.dumps(message).decode())


async def receive(ws: ClientConnection, count: int, within: float = 10.0) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    async with asyncio.timeout(within):
        while len(messages) < count:
            messages.append(orjson.loads(await ws.recv()))
    return messages
