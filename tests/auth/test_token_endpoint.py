"""The authorization server through its real endpoints: tokens, scopes, keys, revocation."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from joserfc import jws, jwt
from joserfc.jwk import ECKey

from app.auth.keystore import rotate_keys
from app.auth.scopes import TIER_SCOPES, Tier
from app.core.config import RateLimit, Settings
from app.core.db import Database
from app.main import create_app
from tests.auth.helpers import bearer, register, token_for

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_client_credentials_token_is_a_short_lived_es256_at_jwt_for_the_api(
    anonymous: httpx.AsyncClient, demo_registry: Database, settings: Settings
) -> None:
    client_id, secret = await register(demo_registry, tier=Tier.DISTRICT, area="310105")
    assert secret is not None
    response = await token_for(anonymous, client_id, secret)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 600
    assert set(body["scope"].split()) == set(TIER_SCOPES[Tier.DISTRICT])
    jwks = (await anonymous.get("/.well-known/jwks.json")).json()
    token = jwt.decode(
        body["access_token"], ECKey.import_key(jwks["keys"][1]), algorithms=["ES256"]
    )
    assert token.header["typ"] == "at+jwt"
    assert token.header["kid"] == jwks["keys"][1]["kid"]
    claims = token.claims
    assert claims["aud"] == settings.token_audience
    assert claims["iss"] == settings.issuer
    assert claims["sub"] == claims["client_id"] == client_id
    assert (claims["tier"], claims["area"]) == ("district", "310105")
    assert claims["exp"] - claims["iat"] <= 600
    board = await anonymous.get(
        "/v1/board", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert board.status_code == 200
    assert board.json()["area"]["code"] == "310105"


async def test_wrong_secret_or_unknown_client_is_invalid_client(
    anonymous: httpx.AsyncClient, demo_registry: Database
) -> None:
    client_id, _ = await register(demo_registry, tier=Tier.CITY, area="310000")
    for auth in ((client_id, "wrong"), ("phc_nobody", "x")):
        response = await anonymous.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=auth
        )
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
    unsupported = await anonymous.post("/oauth/token", data={"grant_type": "password"})
    assert unsupported.status_code == 400


async def test_a_scope_outside_the_allow_list_is_invalid_scope_never_a_narrowed_token(
    anonymous: httpx.AsyncClient, demo_registry: Database
) -> None:
    client_id, secret = await register(
        demo_registry, tier=Tier.STREET, area="310105011", scopes={"status:read"}
    )
    assert secret is not None
    refused = await token_for(anonymous, client_id, secret, scope="status:read energy:read")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"
    granted = await token_for(anonymous, client_id, secret, scope="status:read")
    assert granted.status_code == 200
    assert granted.json()["scope"] == "status:read"


async def test_a_token_without_the_route_scope_is_403_with_the_scope_named(
    anonymous: httpx.AsyncClient, demo_registry: Database
) -> None:
    client_id, secret = await register(
        demo_registry, tier=Tier.STREET, area="310105011", scopes={"registry:read"}
    )
    assert secret is not None
    token = (await token_for(anonymous, client_id, secret)).json()["access_token"]
    response = await anonymous.get("/v1/board", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json()["required_scope"] == "status:read"
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


async def test_unauthenticated_reads_are_refused_but_health_and_metadata_are_public(
    anonymous: httpx.AsyncClient, demo_registry: Database, settings: Settings
) -> None:
    for path in ("/v1/board", "/v1/map", "/v1/piles", "/v1/jurisdictions/310000",
                 "/v1/admin/clients", "/v1/admin/operators", "/v1/admin/screens"):  # fmt: skip
        response = await anonymous.get(path)
        assert response.status_code == 401, path
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"] == "application/problem+json"
    for path in ("/healthz", "/.well-known/jwks.json", "/.well-known/oauth-authorization-server"):
        assert (await anonymous.get(path)).status_code == 200, path
    metadata = (await anonymous.get("/.well-known/oauth-authorization-server")).json()
    assert metadata["issuer"] == settings.issuer
    # "none" is the wall screens' public client, for its device code and refresh grants only
    # (tests/oauth/test_screens.py); every other client authenticates.
    assert metadata["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "private_key_jwt",
        "none",
    ]


async def test_private_key_jwt_client_gets_a_token_and_an_assertion_is_not_replayable(
    anonymous: httpx.AsyncClient, demo_registry: Database, settings: Settings
) -> None:
    key = ECKey.generate_key("P-256", parameters={"kid": "vendor-1"}, private=True)
    client_id, secret = await register(
        demo_registry, tier=Tier.VENDOR, area="310000",
        jwks={"keys": [key.as_dict(private=False)]},
    )  # fmt: skip
    assert secret is None
    now = int(time.time())
    assertion = jwt.encode(
        {"alg": "ES256", "kid": "vendor-1"},
        {"iss": client_id, "sub": client_id, "aud": f"{settings.issuer}/oauth/token",
         "iat": now, "exp": now + 60, "jti": secrets.token_urlsafe(16)},
        key,
    )  # fmt: skip
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }
    first = await anonymous.post("/oauth/token", data=form)
    assert first.status_code == 200, first.text
    assert set(first.json()["scope"].split()) == set(TIER_SCOPES[Tier.VENDOR])
    replay = await anonymous.post("/oauth/token", data=form)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_client"
    other_key = ECKey.generate_key("P-256", parameters={"kid": "vendor-1"}, private=True)
    forged = form | {"client_assertion": jwt.encode(
        {"alg": "ES256", "kid": "vendor-1"},
        {"iss": client_id, "sub": client_id, "aud": f"{settings.issuer}/oauth/token",
         "iat": now, "exp": now + 60, "jti": secrets.token_urlsafe(16)},
        other_key,
    )}  # fmt: skip
    assert (await anonymous.post("/oauth/token", data=forged)).status_code in {400, 401}


async def test_key_rotation_keeps_issued_tokens_valid_and_signs_with_the_next_key(
    app: FastAPI, anonymous: httpx.AsyncClient, demo_registry: Database
) -> None:
    headers = await bearer(anonymous, demo_registry, tier=Tier.CITY, area="310000")
    before = (await anonymous.get("/.well-known/jwks.json")).json()["keys"]
    assert len(before) == 2  # next, current
    async with demo_registry.session(write=True) as session:
        new_kid = await rotate_keys(session, app.state.context.vault)
    app.state.context.auth.invalidate()
    after = (await anonymous.get("/.well-known/jwks.json")).json()["keys"]
    assert len(after) == 3
    assert after[1]["kid"] == new_kid == before[0]["kid"]
    assert (await anonymous.get("/v1/board", headers=headers)).status_code == 200
    fresh = await bearer(anonymous, demo_registry, tier=Tier.CITY, area="310000")
    fresh_token = fresh["Authorization"].split()[1].encode()
    assert jws.extract_compact(fresh_token).headers()["kid"] == new_kid


async def test_introspection_is_for_resource_servers_only(
    anonymous: httpx.AsyncClient, demo_registry: Database
) -> None:
    headers = await bearer(anonymous, demo_registry, tier=Tier.STREET, area="310105011")
    token = headers["Authorization"].split()[1]
    rs_id, rs_secret = await register(
        demo_registry, tier=Tier.CITY, area="310000", resource_server=True
    )
    other_id, other_secret = await register(demo_registry, tier=Tier.CITY, area="310000")
    assert rs_secret is not None
    assert other_secret is not None
    active = await anonymous.post("/oauth/introspect", data={"token": token},
                                  auth=(rs_id, rs_secret))  # fmt: skip
    assert active.status_code == 200
    assert active.json()["active"] is True
    assert active.json()["area"] == "310105011"
    junk = await anonymous.post("/oauth/introspect", data={"token": "x.y.z"},
                                auth=(rs_id, rs_secret))  # fmt: skip
    assert junk.json() == {"active": False}
    scanning = await anonymous.post("/oauth/introspect", data={"token": token},
                                    auth=(other_id, other_secret))  # fmt: skip
    assert scanning.status_code == 403
    assert (await anonymous.post("/oauth/introspect", data={"token": token})).status_code == 401


async def test_a_revoked_token_is_refused(
    anonymous: httpx.AsyncClient, demo_registry: Database
) -> None:
    client_id, secret = await register(demo_registry, tier=Tier.CITY, area="310000")
    assert secret is not None
    token = (await token_for(anonymous, client_id, secret)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await anonymous.get("/v1/board", headers=headers)).status_code == 200
    revoked = await anonymous.post("/oauth/revoke", data={"token": token},
                                   auth=(client_id, secret))  # fmt: skip
    assert revoked.status_code == 200
    refused = await anonymous.get("/v1/board", headers=headers)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


async def test_disabling_a_client_reaches_another_process_within_15_seconds(
    settings: Settings, database: Database, demo_registry: Database, app: FastAPI,
    anonymous: httpx.AsyncClient, client: httpx.AsyncClient,
    record_property: Callable[[str, object], None],
) -> None:  # fmt: skip
    """Two apps on one database stand for two API processes; the latency is measured."""
    client_id, secret = await register(demo_registry, tier=Tier.CITY, area="310000")
    assert secret is not None
    token = (await token_for(anonymous, client_id, secret)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    other = create_app(settings, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other), base_url="https://pilehub.test"
    ) as second:
        assert (await second.get("/v1/board", headers=headers)).status_code == 200
        disabled = await client.post(f"/v1/admin/clients/{client_id}/disable")
        assert disabled.status_code == 200, disabled.text
        started = time.monotonic()
        while (await second.get("/v1/board", headers=headers)).status_code == 200:
            assert time.monotonic() - started < 15, "still accepted after 15 s"
            await asyncio.sleep(0.05)
        latency = time.monotonic() - started
    record_property("revocation_latency_seconds", round(latency, 3))
    assert latency <= settings.auth_refresh_interval.total_seconds() + 1
    no_token = await token_for(anonymous, client_id, secret)
    assert no_token.status_code == 401


async def test_rate_limits_answer_429_with_retry_after(
    settings: Settings, database: Database, demo_registry: Database
) -> None:
    limited = settings.model_copy(
        update={"token_rate": RateLimit(per_second=0.5, burst=2),
                "api_rate": RateLimit(per_second=0.5, burst=3)}
    )  # fmt: skip
    app = create_app(limited, database=database)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://pilehub.test"
    ) as anonymous:
        client_id, secret = await register(demo_registry, tier=Tier.CITY, area="310000")
        assert secret is not None
        answers = [await token_for(anonymous, client_id, secret) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert int(answers[2].headers["retry-after"]) >= 1
        headers = {"Authorization": f"Bearer {answers[0].json()['access_token']}"}
        reads = [await anonymous.get("/v1/board", headers=headers) for _ in range(4)]
        assert [r.status_code for r in reads] == [200, 200, 200, 429]
        assert int(reads[3].headers["retry-after"]) >= 1
