"""OAuth2 endpoints: token (RFC 6749 client_credentials; for wall screens the device code
grant of RFC 8628 and rotating refresh tokens), device authorization (RFC 8628 §3.1),
introspection (RFC 7662, resource servers only), revocation (RFC 7009, a client's own tokens),
and the public metadata (RFC 8414) and JWKS. These are public by design: they authenticate
clients themselves."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import orjson
import structlog
from fastapi import APIRouter, Request
from joserfc import jws
from joserfc.errors import JoseError
from starlette.responses import JSONResponse, Response

from app.auth.keys import ALGORITHM
from app.auth.ratelimit import TOKEN_LIMITER, retry_after
from app.auth.scopes import Scope
from app.auth.trust import AUTH_STATE
from app.auth.verifier import TOKEN_VERIFIER, TokenRejected, VerifiedToken
from app.core.deps import DATABASE, SETTINGS
from app.core.time import utc_now
from app.models import ApiClient
from app.oauth import screen_service, service
from app.oauth.server import (
    ASSERTION_TYPE,
    AUTH_METHODS,
    SCREEN_GRANT_TYPES,
    RegisteredClient,
    device_authorization_response,
    screen_token_response,
    token_response,
)

log = structlog.get_logger(__name__)
router = APIRouter(tags=["oauth2"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_MAX_FORM_BYTES = 16 * 1024


def _oauth_error(status: int, error: str, description: str, **headers: str) -> JSONResponse:
    body = {"error": error, "error_description": description}
    return JSONResponse(body, status_code=status, headers={**NO_STORE, **headers})


@router.post(
    "/oauth/token",
    summary="Get an access token (client_credentials; device_code, refresh_token for screens)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {
                                "type": "string",
                                "enum": ["client_credentials", *SCREEN_GRANT_TYPES],
                            },
                            "scope": {"type": "string"},
                            "client_assertion_type": {"type": "string"},
                            "client_assertion": {"type": "string"},
                            "client_id": {
                                "type": "string",
                                "description": "pilehub-screen, for the screens' grants",
                            },
                            "device_code": {"type": "string"},
                            "refresh_token": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
)
async def token(request: Request) -> Response:
    """Authenticate with HTTP Basic (client_secret_basic) or a signed client assertion
    (private_key_jwt); the token is an ES256 JWT (`typ: at+jwt`) valid at most 10 minutes.
    Wall screens (public client `pilehub-screen`) poll here with their device code, then
    refresh; every refresh answers a new refresh token and spends the old one."""
    form = await _form(request)
    if form is None:
        return _oauth_error(400, "invalid_request", "expected a form body of at most 16 KB")
    client_id = _claimed_client_id(request, form)
    # Per claimed client *and* peer: client ids are not secret, so a bucket per id alone
    # would let anyone hold a real client at 429 with bogus requests.
    wait = TOKEN_LIMITER.of(request).acquire(f"token:{client_id}:{_peer(request)}")
    if wait:
        return _oauth_error(429, "slow_down", "too many token requests",
                            **{"Retry-After": retry_after(wait)})  # fmt: skip
    if form.get("grant_type") in SCREEN_GRANT_TYPES:
        return await _screen_token(request, form)
    client = await _load_client(request, client_id) if client_id else None
    snapshot = await AUTH_STATE.of(request).current()
    response = token_response(
        method=request.method, url=str(request.url), headers=request.headers, form=form,
        client=client, settings=SETTINGS.of(request), keys=snapshot.keys,
    )  # fmt: skip
    if response.status_code == 200 and client is not None:
        if client.row.auth_method == "private_key_jwt" and not await _first_use(request, form):
            return _oauth_error(400, "invalid_client", "this client assertion was used before")
        log.info("access token issued", client_id=client.row.client_id, tier=client.row.tier)
    return response


async def _screen_token(request: Request, form: dict[str, str]) -> Response:
    """The device code or refresh token grant: load (and record the poll), let authlib
    decide, then store what it issued. Nothing here logs a code or a token."""
    database, settings = DATABASE.of(request), SETTINGS.of(request)
    keys = (await AUTH_STATE.of(request).current()).keys
    device_code, refresh_token = form.get("device_code"), form.get("refresh_token")
    poll, refresh = None, None
    async with database.session(write=True) as session:
        if form["grant_type"] == "refresh_token" and refresh_token:
            refresh = await screen_service.refresh_state(session, refresh_token)
        elif device_code and form.get("client_id") == screen_service.SCREEN_CLIENT_ID:
            poll = await screen_service.poll(session, device_code)
    if form["grant_type"] == "refresh_token" and refresh is None:
        AUTH_STATE.of(request).invalidate()  # a reused token may have just revoked a screen
    response = screen_token_response(
        method=request.method, url=str(request.url), headers=request.headers, form=form,
        settings=settings, keys=keys, poll=poll, refresh=refresh,
    )  # fmt: skip
    if response.status_code != 200:
        return _no_store(response)
    issued = orjson.loads(response.body)
    async with database.session(write=True) as session:
        if poll is not None and poll.approved is not None:
            stored = await screen_service.collect(session, poll, issued["refresh_token"])
            screen_id = poll.approved.screen.screen_id
        else:
            assert refresh is not None
            stored = await screen_service.rotate(session, refresh, issued["refresh_token"])
            screen_id = refresh.approved.screen.screen_id
    if not stored:  # a concurrent request spent the same code or token first
        AUTH_STATE.of(request).invalidate()
        return _oauth_error(400, "invalid_grant", "this grant was already used")
    log.info("screen token issued", screen_id=screen_id, grant_type=form["grant_type"])
    return _no_store(response)


def _no_store(response: Response) -> Response:
    response.headers.update(NO_STORE)
    return response


@router.post(
    "/oauth/device_authorization",
    summary="Start a wall screen's sign-in (RFC 8628 device authorization)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["client_id"],
                        "properties": {
                            "client_id": {"type": "string", "enum": ["pilehub-screen"]},
                            "scope": {
                                "type": "string",
                                "description": "Read scopes to ask for; the admin decides",
                            },
                        },
                    }
                }
            },
        }
    },
)
async def device_authorization(request: Request) -> Response:
    """A device code for the screen to poll the token endpoint with, and a user code for an
    admin of the area to approve (`pilehub screens approve CODE --area ...`, or
    `POST /v1/admin/screens`). Both expire in 10 minutes."""
    form = await _form(request)
    if form is None:
        return _oauth_error(400, "invalid_request", "expected a form body of at most 16 KB")
    wait = TOKEN_LIMITER.of(request).acquire(f"device:{_peer(request)}")
    if wait:
        return _oauth_error(429, "slow_down", "too many device authorization requests",
                            **{"Retry-After": retry_after(wait)})  # fmt: skip
    snapshot = await AUTH_STATE.of(request).current()
    response, issued = device_authorization_response(
        method=request.method, url=str(request.url), headers=request.headers, form=form,
        settings=SETTINGS.of(request), keys=snapshot.keys,
    )  # fmt: skip
    if issued is not None:
        async with DATABASE.of(request).session(write=True) as session:
            await screen_service.start(
                session, client_id=issued["client_id"], scope=issued["scope"],
                device_code=issued["device_code"], user_code=issued["user_code"],
            )  # fmt: skip
        log.info("device authorization started", client_id=issued["client_id"])
    return _no_store(response)


async def _form(request: Request) -> dict[str, str] | None:
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        return None
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """(client_id, secret) from an HTTP Basic Authorization header (RFC 6749 §2.3.1)."""
    scheme, _, credentials = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)


def _assertion_claims(form: dict[str, str]) -> dict[str, Any] | None:
    """The unverified claims of a private_key_jwt client assertion, if the form has one."""
    if form.get("client_assertion_type") != ASSERTION_TYPE or not form.get("client_assertion"):
        return None
    try:
        claims = orjson.loads(jws.extract_compact(form["client_assertion"].encode()).payload)
    except (JoseError, orjson.JSONDecodeError, UnicodeError, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _claimed_client_id(request: Request, form: dict[str, str]) -> str | None:
    """Who the caller says it is (authlib then proves it); only to load that one client."""
    if (request.headers.get("authorization") or "").lower().startswith("basic"):
        basic = _basic_credentials(request)  # a malformed one names nobody
        return (basic[0] or None) if basic is not None else None
    sub = (_assertion_claims(form) or {}).get("sub")
    return sub if isinstance(sub, str) and len(sub) <= 40 else None


def _peer(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _load_client(request: Request, client_id: str) -> RegisteredClient | None:
    async with DATABASE.of(request).session() as session:
        row = await service.enabled_client(session, client_id)
        if row is None:
            return None
        area_path = await service.area_path_of(session, row)
    return RegisteredClient(row, area_path) if area_path is not None else None


async def _first_use(request: Request, form: dict[str, str]) -> bool:
    claims = _assertion_claims(form)
    assert claims is not None  # authlib accepted this assertion
    expires = claims.get("exp")
    expires_at = utc_now() if not isinstance(expires, int) else _from_epoch(expires)
    async with DATABASE.of(request).session(write=True) as session:
        return await service.claim_assertion(
            session, jti=str(claims["jti"]), client_id=str(claims["sub"]), expires_at=expires_at
        )


def _from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


async def _authenticated_caller(request: Request) -> ApiClient | None:
    """The calling client by client_secret_basic (introspection and revocation)."""
    basic = _basic_credentials(request)
    if basic is None:
        return None
    client_id, secret = basic
    async with DATABASE.of(request).session() as session:
        row = await service.enabled_client(session, client_id)
    if row is None or not service.secret_matches(row, secret):
        return None
    return row


def _unauthenticated_caller() -> JSONResponse:
    return _oauth_error(401, "invalid_client", "authenticate with client_secret_basic",
                        **{"WWW-Authenticate": 'Basic realm="pilehub"'})  # fmt: skip


async def _presented_token(request: Request) -> VerifiedToken | None:
    """The `token` form field, verified like any bearer token; None if not acceptable."""
    form = await _form(request) or {}
    try:
        return TOKEN_VERIFIER.of(request).verify(
            form.get("token", ""), await AUTH_STATE.of(request).current()
        )
    except TokenRejected:
        return None


@router.post("/oauth/introspect", summary="Introspect a token (resource servers only)")
async def introspect(request: Request) -> Response:
    """RFC 7662. Only clients registered as resource servers may ask (§4: no token scanning)."""
    caller = await _authenticated_caller(request)
    if caller is None:
        return _unauthenticated_caller()
    if not caller.resource_server:
        return _oauth_error(403, "unauthorized_client", "only resource servers may introspect")
    verified = await _presented_token(request)
    if verified is None:
        return JSONResponse({"active": False}, headers=NO_STORE)
    principal = verified.principal
    body = {
        "active": True, "client_id": principal.subject, "sub": principal.subject,
        "scope": " ".join(sorted(principal.scopes)), "exp": verified.expires_at,
        "iss": SETTINGS.of(request).issuer, "aud": SETTINGS.of(request).token_audience,
        "jti": verified.jti, "token_type": "Bearer",
        "tier": principal.tier.value, "area": principal.area_code,
    }  # fmt: skip
    return JSONResponse(body, headers=NO_STORE)


@router.post("/oauth/revoke", summary="Revoke one of your own access tokens")
async def revoke(request: Request) -> Response:
    """RFC 7009: the token's jti is denylisted until it expires; every API process refuses
    it within the auth refresh interval. Answers 200 whatever the token was (§2.2)."""
    caller = await _authenticated_caller(request)
    if caller is None:
        return _unauthenticated_caller()
    verified = await _presented_token(request)
    if verified is not None and verified.principal.subject == caller.client_id:
        async with DATABASE.of(request).session(write=True) as session:
            await service.revoke_token(
                session, jti=verified.jti, client_id=caller.client_id,
                expires_at=_from_epoch(verified.expires_at),
            )  # fmt: skip
        AUTH_STATE.of(request).invalidate()
    return Response(status_code=200, headers=NO_STORE)


@router.get("/.well-known/oauth-authorization-server", summary="Authorization server metadata")
async def metadata(request: Request) -> dict[str, Any]:
    """RFC 8414."""
    issuer = SETTINGS.of(request).issuer.rstrip("/")
    return {
        "issuer": SETTINGS.of(request).issuer,
        "token_endpoint": f"{issuer}/oauth/token",
        "device_authorization_endpoint": f"{issuer}/oauth/device_authorization",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "grant_types_supported": ["client_credentials", *SCREEN_GRANT_TYPES],
        # "none": the wall screens' public client (device code and refresh grants only).
        "token_endpoint_auth_methods_supported": [*AUTH_METHODS, "none"],
        "token_endpoint_auth_signing_alg_values_supported": ["ES256", "RS256"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic"],
        "scopes_supported": sorted(str(scope) for scope in Scope),
        "response_types_supported": [],
        "access_token_signing_alg_values_supported": [ALGORITHM],
    }


@router.get("/.well-known/jwks.json", summary="Public keys that sign access tokens")
async def jwks(request: Request) -> Response:
    """The next, current and previous keys (rotation without a gap)."""
    snapshot = await AUTH_STATE.of(request).current()
    return Response(orjson.dumps(snapshot.keys.jwks), media_type="application/jwk-set+json",
                    headers={"Cache-Control": "public, max-age=300"})  # fmt: skip
