"""`/v1/webhooks` and `/v1/channels`: secrets shown once and stored sealed, the caller's area
only, and every bad configuration answered with problem+json."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.auth.scopes import Scope, Tier
from app.core.db import Database
from app.core.vault import SecretVault
from app.webhooks.schemas import ChannelCreate
from app.webhooks.service import Target
from tests.fixtures.auth import mint_token
from tests.fixtures.problems import assert_problem
from tests.webhooks.helpers import endpoint, hierarchy, subscribe

pytestmark = pytest.mark.asyncio(loop_scope="session")
HOOK = "http://127.0.0.1:9/hooks/pilehub?token=abc"
ROBOT = "http://127.0.0.1:9/cgi-bin/webhook/send?key=7a1c0c5e-robot-key"


async def test_a_webhook_is_created_with_its_secret_once_and_never_shows_it_again(
    client: httpx.AsyncClient, database: Database
) -> None:
    await hierarchy(database)
    created = await subscribe(client, HOOK, ["pile.colour", "alert.*"], area="310105011")
    assert created["secret"].startswith("whsec_")
    assert created["url_hint"] == "http://127.0.0.1:9/hooks/pilehub"  # no query
    assert (created["area"], created["event_kinds"]) == ("310105011", ["pile.colour", "alert.*"])
    shown = await client.get(f"/v1/webhooks/{created['id']}")
    listed = await client.get("/v1/webhooks")
    for text in (shown.text, listed.text):
        assert created["secret"] not in text
        assert "token=abc" not in text
    assert [item["id"] for item in listed.json()["items"]] == [created["id"]]
    stored = await endpoint(database, created["id"])
    assert created["secret"] not in stored.sealed
    assert "token=abc" not in stored.sealed

    rotated = await client.post(f"/v1/webhooks/{created['id']}/rotate-secret", json={})
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["secret"] not in (None, created["secret"])
    assert rotated.json()["previous_secret_until"] is not None

    changed = await client.patch(f"/v1/webhooks/{created['id']}",
                                 json={"event_kinds": ["connector.status"]})  # fmt: skip
    assert changed.json()["event_kinds"] == ["connector.status"]
    assert (await client.delete(f"/v1/webhooks/{created['id']}")).status_code == 204
    assert_problem(await client.get(f"/v1/webhooks/{created['id']}"), 404, "webhook-not-found")


async def test_a_robot_channel_hides_its_key(client: httpx.AsyncClient, database: Database) -> None:
    await hierarchy(database)
    response = await client.post("/v1/channels", json={"url": ROBOT, "area": "310105011001"})
    assert response.status_code == 201, response.text
    channel = response.json()
    assert channel["kind"] == "wecom"
    assert channel["secret"] is None
    assert channel["event_kinds"] == ["alert.opened", "alert.escalated", "alert.reopened"]
    assert "robot-key" not in (await client.get("/v1/channels")).text
    # A channel is not a webhook: each list and id space is its own.
    assert (await client.get("/v1/webhooks")).json()["items"] == []
    assert (await client.get(f"/v1/webhooks/{channel['id']}")).status_code == 404


UNSAFE = [
    "https://10.0.0.1/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::ffff:127.0.0.1]/hook",  # loopback, but not as the allow-listed IPv4 network
    "https://user:pw@hooks.example.com/",
    "ftp://127.0.0.1/hook",
    "http://1.1.1.1/hook",  # plain http outside the allow-list
]


@pytest.mark.parametrize("url", UNSAFE)
async def test_unsafe_targets_are_refused_at_registration(
    client: httpx.AsyncClient, database: Database, url: str
) -> None:
    await hierarchy(database)
    for path, body in (
        ("/v1/webhooks", {"url": url, "event_kinds": ["pile.colour"]}),
        ("/v1/channels", {"url": url}),
    ):
        assert_problem(await client.post(path, json=body), 422, "unsafe-target")


async def test_bad_configuration_is_a_problem(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient, database: Database
) -> None:
    await hierarchy(database)
    bad_kind = await client.post("/v1/webhooks", json={"url": HOOK, "event_kinds": ["pile.*x"]})
    assert_problem(bad_kind, 422, "unknown-event-kind")
    robot_non_alert = await client.post(
        "/v1/channels", json={"url": ROBOT, "alert_kinds": ["pile.colour"]}
    )
    assert_problem(robot_non_alert, 422, "unknown-event-kind")
    missing = await client.post("/v1/webhooks", json={"event_kinds": ["pile.colour"]})
    assert_problem(missing, 422, "validation-error")
    empty = await client.post("/v1/webhooks", json={"url": HOOK, "event_kinds": []})
    assert_problem(empty, 422, "validation-error")
    nowhere = await client.post("/v1/webhooks", json={"url": HOOK, "event_kinds": ["pile.colour"],
                                                      "area": "310105099"})  # fmt: skip
    assert_problem(nowhere, 404, "area-not-found")
    created = await subscribe(client, HOOK)
    backwards = await client.post(f"/v1/webhooks/{created['id']}/replay", json={
        "since": "2026-11-02T00:00:00Z", "until": "2026-11-01T00:00:00Z"})  # fmt: skip
    assert_problem(backwards, 422, "validation-error")

    # Alerts need alerts:read, like the same events on the SSE stream.
    scopes = {str(Scope.WEBHOOKS_MANAGE), str(Scope.STATUS_READ)}
    token = await mint_token(app, tier=Tier.STREET, area="310105011", scopes=scopes)
    auth = {"Authorization": f"Bearer {token}"}
    no_alerts = await anonymous.post("/v1/webhooks", headers=auth,
                                     json={"url": HOOK, "event_kinds": ["alert.*"]})  # fmt: skip
    assert_problem(no_alerts, 403, "insufficient-scope")
    vendor = await mint_token(app, tier=Tier.VENDOR, area="310105011")
    denied = await anonymous.get("/v1/webhooks", headers={"Authorization": f"Bearer {vendor}"})
    assert_problem(denied, 403, "insufficient-scope")


async def test_a_street_sees_only_subscriptions_in_its_area(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient, database: Database
) -> None:
    await hierarchy(database)
    city_wide = await subscribe(client, HOOK)
    street = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_street")
    auth = {"Authorization": f"Bearer {street}"}
    assert (await anonymous.get("/v1/webhooks", headers=auth)).json()["items"] == []
    for method, suffix in (("GET", ""), ("DELETE", ""), ("GET", "/deliveries")):
        response = await anonymous.request(
            method, f"/v1/webhooks/{city_wide['id']}{suffix}", headers=auth
        )
        assert_problem(response, 404, "webhook-not-found")
    outside = await anonymous.post("/v1/webhooks", headers=auth, json={
        "url": HOOK, "event_kinds": ["pile.colour"], "area": "310105010"})  # fmt: skip
    assert_problem(outside, 404, "area-not-found")
    own = await anonymous.post("/v1/webhooks", headers=auth,
                               json={"url": HOOK, "event_kinds": ["pile.colour"]})  # fmt: skip
    assert own.status_code == 201
    assert own.json()["area"] == "310105011"


async def test_urls_and_secrets_stay_out_of_reprs() -> None:
    """Tracebacks that print locals (the development console) must not show a robot key."""
    assert "robot-key" not in repr(ChannelCreate(url=ROBOT))
    target = Target(ROBOT, ["whsec_c2VjcmV0"])
    assert "robot-key" not in repr(target)
    assert "whsec_" not in repr(target)
    assert "robot-key" not in repr(SecretVault("k"))


TARGETS = ["310000", "310105", "310105011", "310105011001", "310105010"]
CALLERS = {Tier.CITY: "310000", Tier.DISTRICT: "310105", Tier.STREET: "310105011"}
SEES = {Tier.CITY: set(TARGETS), Tier.DISTRICT: set(TARGETS) - {"310000"},
        Tier.STREET: {"310105011", "310105011001"}}  # fmt: skip


async def _create(client: httpx.AsyncClient, collection: str, area: str) -> int:
    body: dict[str, Any] = {"url": ROBOT, "area": area}
    if collection == "webhooks":
        body = {"url": HOOK, "area": area, "event_kinds": ["pile.colour"]}
    created = await client.post(f"/v1/{collection}", json=body)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


@pytest.mark.parametrize("collection", ["webhooks", "channels"])
async def test_every_route_answers_404_outside_the_callers_area(
    app: FastAPI, client: httpx.AsyncClient, anonymous: httpx.AsyncClient, database: Database,
    collection: str,
) -> None:  # fmt: skip
    await hierarchy(database)
    hooks = {area: await _create(client, collection, area) for area in TARGETS}
    replay = {"since": "2026-11-01T00:00:00Z", "until": "2026-11-02T00:00:00Z"}
    routes: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "", None), ("GET", "/deliveries", None), ("PATCH", "", {})]  # fmt: skip
    if collection == "webhooks":
        routes += [("POST", "/replay", replay), ("POST", "/rotate-secret", {})]
    for tier, area in CALLERS.items():
        token = await mint_token(app, tier=tier, area=area, client_id=f"phc_{tier}")
        auth = {"Authorization": f"Bearer {token}"}
        listed = await anonymous.get(f"/v1/{collection}", headers=auth)
        inside = SEES[tier]
        assert {item["area"] for item in listed.json()["items"]} == inside, tier
        for target, hook_id in hooks.items():
            for method, suffix, body in routes:
                response = await anonymous.request(
                    method, f"/v1/{collection}/{hook_id}{suffix}", headers=auth, json=body
                )
                expected = 404 if target not in inside else (202 if suffix == "/replay" else 200)
                assert response.status_code == expected, (tier, target, method, suffix)
            deleted = await anonymous.delete(f"/v1/{collection}/{hook_id}", headers=auth)
            assert deleted.status_code == (204 if target in inside else 404)
            if target in inside:  # gone now: again, for the next caller
                hooks[target] = await _create(client, collection, target)
