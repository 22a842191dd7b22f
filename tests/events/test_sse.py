"""Server-sent events over real HTTP (uvicorn on loopback): area-scoped, in order, exactly
once, resumable, with heartbeats, and ended by token expiry."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from starlette.types import ASGIApp

from app.auth.scopes import TIER_SCOPES, Tier
from app.core.config import Settings
from app.core.db import Database
from app.core.websocket import UVICORN_WEBSOCKET
from app.main import create_app
from tests.alerts.test_alerts import record
from tests.fixtures.auth import mint_token
from tests.fixtures.factories import create_pile
from tests.status.test_service import report

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serving(app: ASGIApp) -> AsyncIterator[str]:
    """`app` under uvicorn on a free loopback port; yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, lifespan="off", **UVICORN_WEBSOCKET
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn exposes a flag, not an event)
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


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


async def _piles(database: Database) -> tuple[str, str]:
    async with database.session(write=True) as session:
        (beixinjing,) = await create_pile(session, community="310105011001")
        (xinjing,) = await create_pile(session, community="310105010001")
    return beixinjing, xinjing


async def test_a_street_gets_its_own_events_in_order_once_and_can_resume(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database=database)
    beixinjing, xinjing = await _piles(database)
    street = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_s")
    async with serving(app) as base:
        reader = asyncio.create_task(read_events(base, street, count=6))
        await asyncio.sleep(0.3)  # subscribed
        await record(database, report(xinjing, 255))  # another street: never delivered
        await record(database, report(beixinjing, 255))
        await record(database, report(beixinjing, 1, minutes=1))
        events = await reader
        kinds = [e["event"] for e in events]
        assert kinds == ["connector.status", "pile.colour", "alert.opened",
                         "connector.status", "pile.colour", "alert.resolved"]  # fmt: skip
        ids = [e["id"] for e in events]
        assert ids == sorted(set(ids))
        assert {e["data"]["payload"]["pile_id"] for e in events} == {  # one pile: Beixinjing's
            events[0]["data"]["payload"]["pile_id"]
        }
        assert events[0]["data"]["payload"]["operator_connector_id"] == beixinjing

        # Reconnecting with Last-Event-ID resumes after it, with nothing lost or repeated.
        resumed = await read_events(base, street, count=3, headers={"Last-Event-ID": str(ids[2])})
        assert [e["id"] for e in resumed] == ids[3:]
        also = await read_events(base, street, count=3, path=f"/v1/events?since={ids[2]}")
        assert [e["id"] for e in also] == ids[3:]


async def test_no_alerts_without_alerts_read_no_stream_for_vendors_and_expiry_ends_it(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings.model_copy(update={"sse_heartbeat": timedelta(seconds=0.2)}),
                     database=database)  # fmt: skip
    beixinjing, _ = await _piles(database)
    watcher = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_w",
                               scopes={"status:read"})  # fmt: skip
    short = await mint_token(app, tier=Tier.STREET, area="310105011", lifetime=2)
    # Vendors, even holding status:read from before their data contract: no event stream
    # (connector statuses carry real ids and exact times; tests/auth/test_vendor_contract.py).
    vendor = await mint_token(app, tier=Tier.VENDOR, area="310105011", client_id="phc_v",
                              scopes={*TIER_SCOPES[Tier.VENDOR], "status:read"})  # fmt: skip
    async with serving(app) as base:
        async with httpx.AsyncClient() as client:
            refused = await client.get(f"{base}/v1/events",
                                       headers={"Authorization": f"Bearer {vendor}"})  # fmt: skip
            assert refused.status_code == 403
            assert refused.json()["code"] == "outside-vendor-contract"
        reader = asyncio.create_task(read_events(base, watcher, count=2))
        await asyncio.sleep(0.3)
        await record(database, report(beixinjing, 255))
        assert [e["event"] for e in await reader] == ["connector.status", "pile.colour"]
        assert await read_events(base, watcher, count=-1) == [{"heartbeat": True}]
        ended = await read_events(base, short, count=1000, within=15)  # ends at expiry
        assert ended == []
        async with httpx.AsyncClient() as client:
            bad = await client.get(f"{base}/v1/events", headers={
                "Authorization": f"Bearer {watcher}", "Last-Event-ID": "yesterday"})  # fmt: skip
            assert bad.status_code == 400
            outside = await client.get(f"{base}/v1/events?area=310105010",
                                       headers={"Authorization": f"Bearer {watcher}"})  # fmt: skip
            assert outside.status_code == 404


async def test_metrics_count_deliveries_and_reports(settings: Settings, database: Database) -> None:
    app = create_app(settings, database=database)
    beixinjing, _ = await _piles(database)
    street = await mint_token(app, tier=Tier.STREET, area="310105011")
    async with serving(app) as base, httpx.AsyncClient() as client:

        async def sample(name: str) -> float:
            text = (await client.get(f"{base}/metrics")).text
            lines = [line for line in text.splitlines() if line.startswith(name)]
            return sum(float(line.rsplit(" ", 1)[1]) for line in lines)

        delivered = await sample('pilehub_sse_delivery_seconds_count{kind="pile.colour"}')
        reader = asyncio.create_task(read_events(base, street, count=3))
        await asyncio.sleep(0.3)
        await record(database, report(beixinjing, 255))
        await reader
        after = await sample('pilehub_sse_delivery_seconds_count{kind="pile.colour"}')
        assert after == delivered + 1
        assert await sample('pilehub_status_reports_total{outcome="changed"}') >= 1
        assert await sample('pilehub_alert_changes_total{kind="alert.opened"}') >= 1
