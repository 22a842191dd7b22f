"""Alerts follow the colours (one per pile, escalate, resolve, reopen) and staff act on
them through the API, within their area."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from app.auth.scopes import Tier
from app.core.db import Database
from app.models import Alert, ChangeEvent, Pile
from app.status import service as status_service
from tests.alerts.helpers import RULES, record
from tests.fixtures.auth import mint_token
from tests.status.helpers import T0, new_pile, report

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def alerts(database: Database) -> list[Alert]:
    async with database.session() as session:
        return list((await session.exec(select(Alert).order_by(col(Alert.id)))).all())


async def alert_events(database: Database) -> list[str]:
    async with database.session() as session:
        kinds = await session.exec(
            select(ChangeEvent.kind)
            .where(col(ChangeEvent.kind).startswith("alert."))
            .order_by(col(ChangeEvent.id))
        )
        return list(kinds.all())


async def test_a_fault_opens_one_alert_however_often_it_is_reported(database: Database) -> None:
    (cid,) = await new_pile(database)
    await record(database, report(cid, 1))
    assert await alerts(database) == []
    await record(database, report(cid, 255, minutes=1))
    await record(database, report(cid, 255, minutes=2), report(cid, 255, minutes=3))
    (alert,) = await alerts(database)
    assert (alert.severity, alert.state, alert.cause) == ("yellow", "open", "fault")
    async with database.session() as session:
        colour_since = (await session.exec(select(Pile.colour_since))).one()
    assert alert.opened_at == colour_since  # the alert dates from the colour it follows
    assert await alert_events(database) == ["alert.opened"]


async def test_a_long_fault_escalates_and_recovery_resolves_it(database: Database) -> None:
    (cid,) = await new_pile(database)
    await record(database, report(cid, 255))
    async with database.session(write=True) as session:  # the worker's sweep, a day later
        await status_service.sweep_colours(session, rules=RULES, now=T0 + timedelta(hours=25))
    (alert,) = await alerts(database)
    assert alert.severity == "red"
    assert alert.escalated_at is not None
    await record(database, report(cid, 1, minutes=25 * 60 + 5))
    (alert,) = await alerts(database)
    assert alert.state == "resolved"
    assert alert.resolved_by is None  # resolved by recovery, not by staff
    assert await alert_events(database) == ["alert.opened", "alert.escalated", "alert.resolved"]


async def test_flapping_reopens_the_same_alert_but_a_later_fault_is_a_new_one(
    database: Database,
) -> None:
    (cid,) = await new_pile(database)
    await record(database, report(cid, 255, minutes=0))
    await record(database, report(cid, 1, minutes=1))
    await record(database, report(cid, 255, minutes=2))  # within the reopen window
    (alert,) = await alerts(database)
    assert (alert.state, alert.reopened) == ("open", 1)
    await record(database, report(cid, 1, minutes=3))
    await record(database, report(cid, 255, minutes=3 + 11))  # after the 10-minute window
    first, second = await alerts(database)
    assert (first.state, second.state) == ("resolved", "open")


async def test_without_auto_resolve_recovery_leaves_the_alert_to_staff(
    database: Database,
) -> None:
    rules = RULES.model_copy(update={"auto_resolve_alerts": False})
    (cid,) = await new_pile(database)
    await record(database, report(cid, 255), rules=rules)
    await record(database, report(cid, 1, minutes=1), rules=rules)
    (alert,) = await alerts(database)
    assert alert.state == "open"


async def test_staff_acknowledge_and_resolve_within_their_area(
    app: FastAPI, anonymous: httpx.AsyncClient, database: Database
) -> None:
    (cid,) = await new_pile(database)  # in community 310105011001 (Beixinjing)
    await record(database, report(cid, 255))
    (alert,) = await alerts(database)
    street = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_street")
    sibling = await mint_token(app, tier=Tier.STREET, area="310105010", client_id="phc_other")
    vendor = await mint_token(app, tier=Tier.VENDOR, area="310105011", client_id="phc_vendor")

    def auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    listed = await anonymous.get("/v1/alerts?state=open", headers=auth(street))
    assert [a["id"] for a in listed.json()["items"]] == [alert.id]
    assert (await anonymous.get("/v1/alerts", headers=auth(sibling))).json()["items"] == []
    url = f"/v1/alerts/{alert.id}"
    assert (
        await anonymous.post(f"{url}/acknowledge", json={}, headers=auth(sibling))
    ).status_code == 404
    assert (
        await anonymous.post(f"{url}/acknowledge", json={}, headers=auth(vendor))
    ).status_code == 403

    acked = await anonymous.post(
        f"{url}/acknowledge", json={"note": "技师已派出"}, headers=auth(street)
    )
    assert acked.status_code == 200, acked.text
    assert acked.json()["state"] == "acknowledged"
    assert acked.json()["acknowledged_by"] == "phc_street"
    resolved = await anonymous.post(
        f"{url}/resolve",
        json={"note": "power restored", "outage_reason": "utility_outage"},
        headers=auth(street),
    )
    assert resolved.json()["state"] == "resolved"
    assert resolved.json()["outage_reason"] == "utility_outage"
    again = await anonymous.post(f"{url}/resolve", json={}, headers=auth(street))
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    bad = await anonymous.post(f"{url}/resolve", json={"outage_reason": "aliens"},
                               headers=auth(street))  # fmt: skip
    assert bad.status_code == 422
    assert await alert_events(database) == ["alert.opened", "alert.acknowledged", "alert.resolved"]


async def test_the_maintenance_flag_raises_a_maintenance_alert_and_clearing_resolves_it(
    client: httpx.AsyncClient, database: Database
) -> None:
    (cid,) = await new_pile(database)
    await record(database, report(cid, 1))
    pile_id = (await client.get("/v1/piles")).json()["items"][0]["id"]
    flagged = await client.post(f"/v1/piles/{pile_id}/maintenance",
                                json={"flagged": True, "note": "cable worn"})  # fmt: skip
    assert flagged.status_code == 204
    (alert,) = await alerts(database)
    assert (alert.severity, alert.cause, alert.state) == ("red", "maintenance", "open")
    await client.post(f"/v1/piles/{pile_id}/maintenance", json={"flagged": False})
    (alert,) = await alerts(database)
    assert alert.state == "resolved"
    missing = await client.post("/v1/piles/999999/maintenance", json={"flagged": True})
    assert missing.status_code == 404
