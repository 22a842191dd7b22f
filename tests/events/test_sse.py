"""Server-sent events over real HTTP (uvicorn on loopback): area-scoped, in order, exactly
once, resumable, with heartbeats, and ended by token expiry."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from app.auth.scopes import TIER_SCOPES, Tier
from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.alerts.helpers import record
from tests.events.helpers import piles_in_two_streets, read_events
from tests.fixtures.auth import mint_token
from tests.fixtures.serving import serving
from tests.status.helpers import report

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_street_gets_its_own_events_in_order_once_and_can_resume(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database=database)
    beixinjing, xinjing = await piles_in_two_streets(database)
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
    beixinjing, _ = await piles_in_two_streets(database)
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
    beixinjing, _ = await piles_in_two_streets(database)
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
