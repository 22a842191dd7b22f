"""Subscriptions over real WebSockets (uvicorn on loopback, graphql-transport-ws): the token
is checked at connection_init, each subscriber gets its area's changes once and in order,
resumes without gaps, is capped per connection, and is cut off when its token expires."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import FastAPI
from websockets.exceptions import ConnectionClosed

from app.auth.scopes import TIER_SCOPES, Tier
from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.alerts.helpers import record
from tests.events.helpers import piles_in_two_streets
from tests.fixtures.auth import mint_token
from tests.fixtures.serving import serving
from tests.graphql.helpers import acknowledged, receive, socket, subscribe
from tests.status.helpers import report

pytestmark = pytest.mark.asyncio(loop_scope="session")
STATUS = "subscription($since: EventId) { statusChanged(since: $since) { eventId kind payload } }"


def events(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert all(m["type"] == "next" for m in messages), messages
    return [m["payload"]["data"]["statusChanged"] for m in messages]


async def test_connection_init_without_a_valid_token_is_closed_4403(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database=database)
    async with serving(app) as base:
        for token in (None, "not-a-token"):
            async with socket(base, token) as ws:
                with pytest.raises(ConnectionClosed) as closed:
                    await ws.recv()
                assert closed.value.rcvd is not None
                assert closed.value.rcvd.code == 4403


async def test_each_area_gets_its_own_changes_in_order_and_resumes_without_gaps(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database=database)
    beixinjing, chengjiaqiao = await piles_in_two_streets(database)
    street = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_s")
    other = await mint_token(app, tier=Tier.STREET, area="310105010", client_id="phc_o")
    async with serving(app) as base:
        async with socket(base, street) as mine, socket(base, other) as theirs:
            await acknowledged(mine)
            await acknowledged(theirs)
            await subscribe(mine, "1", STATUS)
            await subscribe(theirs, "1", STATUS)
            await asyncio.sleep(0.3)  # subscribed
            await record(database, report(chengjiaqiao, 255))
            await record(database, report(beixinjing, 255))
            await record(database, report(beixinjing, 1, minutes=1))
            got = events(await receive(mine, 4))
            assert [e["kind"] for e in got] == ["connector.status", "pile.colour"] * 2
            ids = [e["eventId"] for e in got]
            assert ids == sorted(set(ids))
            assert {e["payload"]["operator_connector_id"] for e in got[::2]} == {beixinjing}
            theirs_got = events(await receive(theirs, 2))
            assert theirs_got[0]["payload"]["operator_connector_id"] == chengjiaqiao
            with pytest.raises(TimeoutError):  # and nothing of Beixinjing's
                await receive(theirs, 1, within=0.5)
        # Reconnect, resume after the second event: exactly the rest, alerts excluded.
        async with socket(base, street) as again:
            await acknowledged(again)
            await subscribe(again, "r", STATUS, since=ids[1])
            assert [e["eventId"] for e in events(await receive(again, 2))] == ids[2:]


async def test_scopes_subscription_cap_and_token_expiry(app: FastAPI, database: Database) -> None:
    await piles_in_two_streets(database)
    # A vendor even with status:read (registered before the vendors' data contract) gets no
    # connector statuses: real ids with exact times (tests/auth/test_vendor_contract.py).
    vendor = await mint_token(app, tier=Tier.VENDOR, area="310105011", client_id="phc_v",
                              scopes={*TIER_SCOPES[Tier.VENDOR], "status:read"})  # fmt: skip
    watcher = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_w",
                               scopes={"status:read"})  # fmt: skip
    short = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_t", lifetime=2)
    async with serving(app) as base:
        async with socket(base, vendor) as ws:
            await acknowledged(ws)
            await subscribe(ws, "v", STATUS)
            (refused,) = await receive(ws, 1)
            assert refused["type"] == "error"
            assert "vendors' data contract" in refused["payload"][0]["message"]
        async with socket(base, watcher) as ws:
            await acknowledged(ws)
            await subscribe(ws, "a", "subscription { alertChanged { eventId } }")
            (refused,) = await receive(ws, 1)
            assert refused["type"] == "error"
            assert "alerts:read" in refused["payload"][0]["message"]
            # Another street's changes: not found, as for every other field.
            await subscribe(ws, "b", 'subscription { statusChanged(area: "310105010") { kind } }')
            outside, done = await receive(ws, 2)
            assert outside["type"] == "next"  # graphql-transport-ws sends execution errors so
            assert outside["payload"]["errors"][0]["extensions"]["code"] == "area-not-found"
            assert done == {"id": "b", "type": "complete"}
            for n in range(10):  # the cap (graphql_max_subscriptions = 10)
                await subscribe(ws, f"s{n}", STATUS)
            await subscribe(ws, "over", STATUS)
            (over,) = await receive(ws, 1)
            assert over == {"id": "over", "type": "error",
                            "payload": [{"message": "Subscription limit reached"}]}  # fmt: skip
            # Let the ten start before hanging up: a query cancelled mid-flight costs asyncpg
            # its connection, which then complains when the test drops the database.
            await asyncio.sleep(0.3)
        async with socket(base, short) as ws:
            await acknowledged(ws)
            await subscribe(ws, "1", STATUS)
            with pytest.raises(ConnectionClosed) as closed:
                await receive(ws, 1, within=8)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4401
