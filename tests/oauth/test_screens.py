"""Wall screens' sign-in through the real endpoints (RFC 8628 device authorization grant):
the device authorization, polling, an admin's approval, rotating refresh tokens, reuse
detection and revocation."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import ECKey
from sqlalchemy import update
from sqlmodel import col, select

from app.auth.scopes import TIER_SCOPES, Tier
from app.core.config import Settings
from app.core.db import Database, execute
from app.core.time import utc_now
from app.main import create_app
from app.models import DeviceAuthorization
from tests.fixtures.auth import mint_token
from tests.fixtures.logs import json_log_lines
from tests.oauth.helpers import (
    BEIXINJING,
    DEVICE_GRANT,
    SCREEN,
    error_of,
    poll,
    refresh,
    signed_in_screen,
    start,
    typed_badly,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_full_flow_approve_poll_read_refresh_and_reuse_revokes(
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient, demo_registry: Database,
    settings: Settings,
) -> None:  # fmt: skip
    started = await start(anonymous)
    assert started["expires_in"] == 600
    assert started["interval"] == 5
    assert started["verification_uri"].endswith("/device")
    assert started["user_code"] in started["verification_uri_complete"]
    assert started["device_code"] not in started["verification_uri_complete"]

    pending = await poll(anonymous, started["device_code"])
    assert (pending.status_code, error_of(pending)) == (400, "authorization_pending")

    approved = await client.post(
        "/v1/admin/screens",
        json={"user_code": typed_badly(started["user_code"]), "area": BEIXINJING,
              "name": "Beixinjing office"},
    )  # fmt: skip
    assert approved.status_code == 201, approved.text
    screen = approved.json()
    assert (screen["tier"], screen["area"]) == ("street", BEIXINJING)
    assert screen["scopes"] == ["alerts:read", "energy:read", "registry:read", "status:read"]

    tokens = await poll(anonymous, started["device_code"])  # at once: approval wins over pace
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["cache-control"] == "no-store"
    body = tokens.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 300
    assert set(body["scope"].split()) == set(screen["scopes"])
    jwks = (await anonymous.get("/.well-known/jwks.json")).json()
    claims = jwt.decode(
        body["access_token"], ECKey.import_key(jwks["keys"][1]), algorithms=["ES256"]
    ).claims
    assert claims["client_id"] == claims["sub"] == screen["screen_id"]
    assert (claims["tier"], claims["area"], claims["aud"]) == (
        "street", BEIXINJING, settings.token_audience,
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    board = await anonymous.get("/v1/board", headers=headers)
    assert board.status_code == 200
    assert board.json()["area"]["code"] == BEIXINJING
    # Read-only: a write route's scope is not there.
    write = await anonymous.post("/v1/alerts/1/acknowledge", headers=headers)
    assert write.status_code == 403

    again = await poll(anonymous, started["device_code"])  # a device code is good once
    assert (again.status_code, error_of(again)) == (400, "invalid_request")

    rotated = await refresh(anonymous, body["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    assert rotated.headers["cache-control"] == "no-store"
    second = rotated.json()
    assert second["refresh_token"] != body["refresh_token"]
    assert second["access_token"] != body["access_token"]
    headers = {"Authorization": f"Bearer {second['access_token']}"}
    assert (await anonymous.get("/v1/board", headers=headers)).status_code == 200

    reused = await refresh(anonymous, body["refresh_token"])  # a copy: the screen is revoked
    assert (reused.status_code, error_of(reused)) == (400, "invalid_grant")
    after = await refresh(anonymous, second["refresh_token"])
    assert (after.status_code, error_of(after)) == (400, "invalid_grant")
    refused = await anonymous.get("/v1/board", headers=headers)
    assert refused.status_code == 401
    listed = (await client.get("/v1/admin/screens")).json()["items"]
    assert [(s["screen_id"], s["revoked_at"] is not None) for s in listed] == [
        (screen["screen_id"], True)
    ]


async def test_polling_too_fast_is_slow_down_and_the_interval_grows(
    anonymous: httpx.AsyncClient, demo_registry: Database
) -> None:
    started = await start(anonymous)
    answers = [error_of(await poll(anonymous, started["device_code"])) for _ in range(3)]
    assert answers == ["authorization_pending", "slow_down", "slow_down"]
    async with demo_registry.session() as session:
        row = (await session.exec(_authorization(started["user_code"]))).one()
    assert row.interval == 15  # 5 + 5 for each slow_down (RFC 8628 §3.5)


def _authorization(user_code: str) -> Any:
    return select(DeviceAuthorization).where(
        DeviceAuthorization.user_code == user_code.replace("-", "")
    )


async def test_an_expired_code_is_expired_token_and_cannot_be_approved(
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient, demo_registry: Database
) -> None:
    started = await start(anonymous)
    async with demo_registry.session(write=True) as session:
        await execute(
            session,
            update(DeviceAuthorization)
            .where(col(DeviceAuthorization.user_code) == started["user_code"].replace("-", ""))
            .values(expires_at=utc_now() - timedelta(seconds=1)),
        )
    expired = await poll(anonymous, started["device_code"])
    assert (expired.status_code, error_of(expired)) == (400, "expired_token")
    late = await client.post(
        "/v1/admin/screens", json={"user_code": started["user_code"], "area": BEIXINJING}
    )
    assert late.status_code == 404
    assert late.headers["content-type"] == "application/problem+json"


async def test_a_denied_code_is_access_denied(
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient, demo_registry: Database
) -> None:
    started = await start(anonymous)
    denied = await client.post("/v1/admin/screens/deny", json={"user_code": started["user_code"]})
    assert denied.status_code == 204, denied.text
    answer = await poll(anonymous, started["device_code"])
    assert (answer.status_code, error_of(answer)) == (400, "access_denied")


async def test_a_district_admin_approves_lists_and_revokes_only_inside_its_district(
    app: FastAPI, anonymous: httpx.AsyncClient, client: httpx.AsyncClient,
    demo_registry: Database,
) -> None:  # fmt: skip
    # No district client may hold clients:manage today (README's tier table); the area rule
    # holds for whoever does, so a token with that scope on a district stands for one.
    token = await mint_token(
        app, tier=Tier.DISTRICT, area="310105", client_id="phc_test_district",
        scopes={*TIER_SCOPES[Tier.DISTRICT], "clients:manage"},
    )  # fmt: skip
    district = {"Authorization": f"Bearer {token}"}
    elsewhere = await start(anonymous)
    refused = await anonymous.post(
        "/v1/admin/screens", headers=district,
        json={"user_code": elsewhere["user_code"], "area": "310104"},
    )  # fmt: skip
    assert refused.status_code == 404, refused.text
    beyond = await anonymous.post(
        "/v1/admin/screens", headers=district,
        json={"user_code": elsewhere["user_code"], "area": BEIXINJING,
              "scopes": ["webhooks:manage"]},
    )  # fmt: skip
    assert beyond.status_code == 400, beyond.text
    mine = await anonymous.post(
        "/v1/admin/screens", headers=district,
        json={"user_code": elsewhere["user_code"], "area": BEIXINJING},
    )  # fmt: skip
    assert mine.status_code == 201, mine.text
    # A screen of another district, approved by the city: invisible to the district.
    other = await signed_in_screen(anonymous, client, area="310104")
    listed = (await anonymous.get("/v1/admin/screens", headers=district)).json()["items"]
    assert [s["screen_id"] for s in listed] == [mine.json()["screen_id"]]
    hidden = await anonymous.post(
        f"/v1/admin/screens/{other['screen_id']}/revoke", headers=district
    )
    assert hidden.status_code == 404


async def test_a_revoked_screen_is_refused_by_another_process_within_the_refresh_interval(
    settings: Settings, database: Database, demo_registry: Database, app: FastAPI,
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient,
    record_property: Callable[[str, object], None],
) -> None:  # fmt: skip
    screen = await signed_in_screen(anonymous, client)
    headers = {"Authorization": f"Bearer {screen['access_token']}"}
    other = create_app(settings, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other), base_url="https://pilehub.test"
    ) as second:
        assert (await second.get("/v1/board", headers=headers)).status_code == 200
        revoked = await client.post(f"/v1/admin/screens/{screen['screen_id']}/revoke")
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["revoked_at"] is not None
        started = time.monotonic()
        while (await second.get("/v1/board", headers=headers)).status_code == 200:
            assert time.monotonic() - started < 30, "still accepted after 30 s"
            await asyncio.sleep(0.05)
        latency = time.monotonic() - started
    record_property("screen_revocation_latency_seconds", round(latency, 3))
    assert latency <= settings.auth_refresh_interval.total_seconds() + 1
    no_refresh = await refresh(anonymous, screen["refresh_token"])
    assert (no_refresh.status_code, error_of(no_refresh)) == (400, "invalid_grant")


async def test_bad_requests_get_rfc_6749_errors_not_500(
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient, demo_registry: Database
) -> None:
    cases: list[tuple[str, Any, str]] = [
        ("/oauth/device_authorization", {}, "invalid_client"),
        ("/oauth/device_authorization", {"client_id": "nobody"}, "invalid_client"),
        ("/oauth/device_authorization", {"client_id": SCREEN, "scope": "webhooks:manage"},
         "invalid_scope"),
        ("/oauth/device_authorization", {"client_id": SCREEN, "client_secret": "x"},
         "invalid_client"),
        ("/oauth/token", {"grant_type": DEVICE_GRANT, "client_id": SCREEN}, "invalid_request"),
        ("/oauth/token", {"grant_type": DEVICE_GRANT, "client_id": SCREEN,
                          "device_code": "not-a-code"}, "invalid_request"),
        ("/oauth/token", {"grant_type": DEVICE_GRANT, "device_code": "x"}, "invalid_client"),
        ("/oauth/token", {"grant_type": "refresh_token", "client_id": SCREEN},
         "invalid_request"),
        ("/oauth/token", {"grant_type": "refresh_token", "client_id": SCREEN,
                          "refresh_token": "forged"}, "invalid_grant"),
    ]  # fmt: skip
    for path, form, expected in cases:
        response = await anonymous.post(path, data=form)
        assert response.status_code in (400, 401), (path, form, response.text)
        assert error_of(response) == expected, (path, form, response.text)
        assert response.headers["cache-control"] == "no-store"
    as_json = await anonymous.post("/oauth/device_authorization", json={"client_id": SCREEN})
    assert as_json.status_code in (400, 401)
    assert "error" in as_json.json()
    unknown = await client.post("/v1/admin/screens", json={"user_code": "NOPE-NOPE",
                                                            "area": BEIXINJING})  # fmt: skip
    assert unknown.status_code == 404
    # A refresh token may narrow its scopes, never widen them.
    screen = await signed_in_screen(anonymous, client)
    wider = await anonymous.post(
        "/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": screen["refresh_token"],
              "client_id": SCREEN, "scope": "sessions:read"},
    )  # fmt: skip
    assert (wider.status_code, error_of(wider)) == (400, "invalid_scope")


async def test_metadata_announces_the_device_endpoint_and_grants(
    anonymous: httpx.AsyncClient,
) -> None:
    body = (await anonymous.get("/.well-known/oauth-authorization-server")).json()
    assert body["device_authorization_endpoint"].endswith("/oauth/device_authorization")
    assert {DEVICE_GRANT, "refresh_token"} <= set(body["grant_types_supported"])
    assert "none" in body["token_endpoint_auth_methods_supported"]


async def test_no_code_or_token_reaches_the_logs_even_at_debug(
    settings: Settings, database: Database, demo_registry: Database
) -> None:
    with json_log_lines("DEBUG") as buffer:
        app = create_app(settings.model_copy(update={"access_log": True}), database=database)
        async with (
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="https://pilehub.test"
            ) as anonymous,
        ):
            admin = {"Authorization": f"Bearer {await mint_token(app)}"}
            started = await start(anonymous)
            await poll(anonymous, started["device_code"])
            approved = await anonymous.post(
                "/v1/admin/screens", headers=admin,
                json={"user_code": started["user_code"], "area": BEIXINJING},
            )  # fmt: skip
            assert approved.status_code == 201
            tokens = (await poll(anonymous, started["device_code"])).json()
            rotated = (await refresh(anonymous, tokens["refresh_token"])).json()
            await anonymous.get(
                "/v1/board", headers={"Authorization": f"Bearer {rotated['access_token']}"}
            )
    logged = buffer.getvalue()
    assert "screen token issued" in logged
    assert "/oauth/token" in logged
    secrets = [started["device_code"], tokens["access_token"], tokens["refresh_token"],
               rotated["access_token"], rotated["refresh_token"]]  # fmt: skip
    leaked = [secret[:12] for secret in secrets if secret in logged]
    assert not leaked
