"""Session-level data: scoped, pseudonymised for vendors, and every read audited; every
write audited too. Audit records are visible to auditors of the caller's area only."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from app.auth.scopes import Tier
from app.core.db import Database
from app.sessions.service import record_charge_orders
from tests.fixtures.auth import mint_token
from tests.fixtures.factories import create_pile
from tests.sessions.helpers import NOW, order

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _two_sessions(database: Database) -> None:
    """Sessions on a Beixinjing pile (310105011001) and on one of Xinjing street (310105010)."""
    async with database.session(write=True) as session:
        (beixinjing,) = await create_pile(session, community="310105011001")
        (xinjing,) = await create_pile(session, community="310105010001")
        await record_charge_orders(
            session, [order(beixinjing, "S1"), order(xinjing, "S2")], now=NOW
        )


async def _get(client: httpx.AsyncClient, token: str, url: str) -> httpx.Response:
    return await client.get(url, headers={"Authorization": f"Bearer {token}"})


async def test_sessions_are_scoped_and_vendors_see_pseudonyms_without_money(
    app: FastAPI, anonymous: httpx.AsyncClient, database: Database
) -> None:
    await _two_sessions(database)
    street = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_street")
    staff = (await _get(anonymous, street, "/v1/sessions")).json()["items"]
    assert [item["start_charge_seq"] for item in staff] == ["S1"]
    assert staff[0]["total_money_yuan"] == 4.5
    assert staff[0]["energy_kwh"] == 5.0
    outside = await _get(anonymous, street, "/v1/sessions?area=310105010")
    assert outside.status_code == 404

    vendor_a = await mint_token(app, tier=Tier.VENDOR, area="310105", client_id="phc_vendor_a")
    vendor_b = await mint_token(app, tier=Tier.VENDOR, area="310105", client_id="phc_vendor_b")
    seen_a = (await _get(anonymous, vendor_a, "/v1/sessions")).json()["items"]
    again_a = (await _get(anonymous, vendor_a, "/v1/sessions")).json()["items"]
    seen_b = (await _get(anonymous, vendor_b, "/v1/sessions")).json()["items"]
    assert len(seen_a) == 2
    for item in seen_a:
        assert set(item) == {"connector", "pile", "community", "start_at", "end_at",
                             "energy_kwh", "stop_reason"}  # fmt: skip
        assert item["connector"].startswith("c_")
    assert [i["connector"] for i in seen_a] == [i["connector"] for i in again_a]  # stable
    assert not {i["connector"] for i in seen_a} & {i["connector"] for i in seen_b}  # per vendor
    staff_ids = {str(item["connector_id"]) for item in staff}
    assert not staff_ids & {i["connector"] for i in seen_a}


async def test_session_reads_and_writes_are_audited_for_the_callers_area(
    app: FastAPI, anonymous: httpx.AsyncClient, client: httpx.AsyncClient, database: Database
) -> None:
    await _two_sessions(database)
    street = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_street")
    await _get(anonymous, street, "/v1/sessions?limit=5")
    await _get(anonymous, street, "/v1/board")  # not session-level: not audited
    created = await client.post(
        "/v1/admin/clients",
        json={"name": "audited", "tier": "street", "area": "310105011"},
    )
    assert created.status_code == 201

    records = (await client.get("/v1/audit")).json()["items"]
    reads = [r for r in records if r["route"] == "/v1/sessions"]
    assert len(reads) == 1
    assert reads[0]["client_id"] == "phc_street"
    assert reads[0]["row_count"] == 1
    assert reads[0]["parameters"]["query"] == {"limit": "5"}
    writes = [r for r in records if r["method"] == "POST"]
    assert [w["route"] for w in writes] == ["/v1/admin/clients"]
    assert writes[0]["status_code"] == 201
    assert "client_secret" not in str(writes[0])
    assert not [r for r in records if r["route"] == "/v1/board"]

    # A district auditor of another district sees none of it; the street has no audit:read.
    other = await mint_token(app, tier=Tier.DISTRICT, area="310104", client_id="phc_other")
    assert (await _get(anonymous, other, "/v1/audit")).json()["items"] == []
    assert (await _get(anonymous, street, "/v1/audit")).status_code == 403
