"""Reading a served event stream, and piles in two streets to tell areas apart."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson

from app.core.db import Database
from tests.fixtures.factories import create_pile


async def read_events(
    base: str, token: str, *, count: int, headers: dict[str, str] | None = None,
    path: str = "/v1/events", within: float = 10.0,
) -> list[dict[str, Any]]:  # fmt: skip
    """The first `count` events of a stream (frames with an id), or all until it ends;
    with a negative `count`, the first heartbeat."""
    events: list[dict[str, Any]] = []
    frame: dict[str, str] = {}
    async with httpx.AsyncClient(timeout=within) as client:
        async with client.stream(
            "GET", f"{base}{path}", headers={"Authorization": f"Bearer {token}", **(headers or {})}
        ) as response:
            assert response.status_code == 200, await response.aread()
            assert response.headers["content-type"].startswith("text/event-stream")
            async with asyncio.timeout(within):
                async for line in response.aiter_lines():
                    if line == "" and "id" in frame:
                        events.append({"id": int(frame["id"]), "event": frame["event"],
                                       "data": orjson.loads(frame["data"])})  # fmt: skip
                        frame = {}
                        if len(events) == count:
                            break
                    elif line.startswith(":"):
                        if count < 0:  # the caller waits for a heartbeat
                            events.append({"heartbeat": True})
                            break
                    elif ": " in line:
                        name, _, value = line.partition(": ")
                        frame[name] = value
    return events


async def piles_in_two_streets(database: Database) -> tuple[str, str]:
    async with database.session(write=True) as session:
        (beixinjing,) = await create_pile(session, community="310105011001")
        (xinjing,) = await create_pile(session, community="310105010001")
    return beixinjing, xinjing
