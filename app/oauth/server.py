"""The hub's OAuth2 authorization server on authlib: client_credentials, authenticated by
client_secret_basic or private_key_jwt (RFC 7523), issuing RFC 9068 JWT access tokens; and,
for wall screens (a public client), the device authorization grant (RFC 8628) with rotating
refresh tokens.

authlib's server core is synchronous and has no FastAPI integration, so the router reads the
form and loads the client and keys asynchronously first; this module then runs authlib's
checks on those in memory (no I/O). Unsafe defaults are overridden here: `aud` is the API,
not the client; tokens live at most 10 minutes, not authlib's 10 days; a scope outside the
client's allow-list is `invalid_scope`, never a silently narrowed token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc8628 import (
    DEVICE_CODE_GRANT_TYPE,
    DeviceAuthorizationEndpoint,
    DeviceCodeGrant,
    DeviceCredentialMixin,
)
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from joserfc.jwk import KeySet
from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from app.auth.keys import ALGORITHM, KeyRing
from app.auth.scopes import format_scopes, parse_scopes
from app.core.config import Settings
from app.models import ApiClient
from app.oauth.screen_service import (
    DEVICE_CODE_LIFETIME,
    POLL_INTERVAL,
    SCREEN_ACCESS_TOKEN_TTL,
    SCREEN_CLIENT_ID,
    SCREEN_SCOPES,
    ApprovedScreen,
    Poll,
    Refresh,
)
from app.oauth.service import secret_matches

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
AUTH_METHODS = ("client_secret_basic", "private_key_jwt")


@dataclass(frozen=True)
class RegisteredClient(ClientMixin):  # type: ignore[misc]
    """An ApiClient as authlib sees it, with its area path for the token's claims."""

    row: ApiClient
    area_path: str

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        allowed = parse_scopes(self.row.scopes)
        if not scope:
            return format_scopes(allowed)  # RFC 6749 §3.3: the client's default set
        requested = parse_scopes(scope)
        return format_scopes(requested) if requested <= allowed else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return secret_matches(self.row, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method == self.row.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"


class _FormRequest(OAuth2Request):  # type: ignore[misc]
    """The token request, with the form already read by the async route."""

    def __init__(self, method: str, url: str, headers: Headers, form: dict[str, str]) -> None:
        # Starlette's case-insensitive headers: authlib looks up "Authorization".
        super().__init__(method, url, headers=headers)
        self._form = form
        self.payload = BasicOAuth2Payload(form)

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return {}


class _ClientCredentials(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)


class _PrivateKeyJWT(JWTBearerClientAssertion):  # type: ignore[misc]
    """private_key_jwt: a JWT signed with the client's registered key. Replays are refused
    by the router, which records each assertion's jti in the database (this check is
    synchronous and cannot)."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, audiences: list[str], leeway: int) -> None:
        super().__init__(validate_jti=True, leeway=leeway)
        self._audiences = audiences

    def get_audiences(self) -> list[str]:
        return self._audiences

    def validate_jti(self, claims: dict[str, Any], jti: str) -> bool:
        return isinstance(jti, str) and 0 < len(jti) <= 128

    def resolve_client_public_key(self, client: RegisteredClient) -> KeySet:
        return KeySet.import_key_set(client.row.jwks or {"keys": []})  # type: ignore[arg-type]


class _TokenGenerator(JWTBearerTokenGenerator):  # type: ignore[misc]
    def __init__(self, settings: Settings, keys: KeyRing) -> None:
        ttl = int(settings.access_token_ttl.total_seconds())
        super().__init__(
            issuer=settings.issuer, alg=ALGORITHM, expires_generator=lambda _c, _g: ttl
        )
        self._audience, self._keys = settings.token_audience, keys

    def get_jwks(self) -> KeySet:
        assert self._keys.signing is not None, "no current signing key"
        return KeySet([self._keys.signing])

    def get_audiences(self, client: RegisteredClient, user: Any, scope: str) -> str:
        return self._audience

    def get_extra_claims(
        self, client: RegisteredClient, grant_type: str, user: Any, scope: str
    ) -> dict[str, Any]:
        # Tier and area are the client's, never the caller's choice.
        return {
            "nbf": int(time.time()),
            "tier": client.row.tier,
            "area": client.row.area_code,
            "area_path": client.area_path,
        }


class _Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, client: RegisteredClient | None, settings: Settings, keys: KeyRing):
        super().__init__(scopes_supported=None)
        self._client = client
        self.register_grant(_ClientCredentials)
        self.register_token_generator("default", _TokenGenerator(settings, keys))
        audiences = [settings.issuer, f"{settings.issuer.rstrip('/')}/oauth/token"]
        self.register_client_auth_method(
            "private_key_jwt",
            _PrivateKeyJWT(audiences, int(settings.token_leeway.total_seconds())),
        )

    def query_client(self, client_id: str) -> RegisteredClient | None:
        client = self._client
        return client if client is not None and client.row.client_id == client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """JWTs are self-contained: nothing to store (revocation is by jti denylist)."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals."""

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        return _FormRequest(*request)

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("the token endpoint takes forms only")

    def handle_response(
        self, status: int, body: dict[str, Any], headers: list[tuple[str, str]]
    ) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers=dict(headers))


def token_response(
    *,
    method: str,
    url: str,
    headers: Headers,
    form: dict[str, str],
    client: RegisteredClient | None,
    settings: Settings,
    keys: KeyRing,
) -> JSONResponse:
    """Run the client_credentials grant on an already-loaded client (or None: unknown)."""
    server = _Server(client, settings, keys)
    response: JSONResponse = server.create_token_response((method, url, headers, form))
    return response


# Wall screens: RFC 8628's device authorization grant and rotating refresh tokens, for one
# public client. As above, the router loads what these need first (the poll, the presented
# refresh token) and stores what they made afterwards; authlib decides in between.


class ScreenClient(ClientMixin):  # type: ignore[misc]
    """The well-known public client every wall screen starts as (no secret: `none`)."""

    def get_client_id(self) -> str:
        return SCREEN_CLIENT_ID

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str | None:
        # Reached only with the scopes an admin approved (or a subset of them on refresh).
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none" and endpoint in ("token", "device_authorization")

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in (DEVICE_CODE_GRANT_TYPE, "refresh_token")


@dataclass(frozen=True)
class ScreenUser:
    """The approved screen, as the resource owner of its tokens."""

    approved: ApprovedScreen

    def get_user_id(self) -> str:
        return self.approved.screen.screen_id


@dataclass(frozen=True)
class _DeviceCredential(DeviceCredentialMixin):  # type: ignore[misc]
    poll: Poll

    def get_client_id(self) -> str:
        return self.poll.client_id

    def get_scope(self) -> str | None:
        return self.poll.scopes

    def get_user_code(self) -> str:
        return self.poll.user_code

    def is_expired(self) -> bool:
        return self.poll.expired


@dataclass(frozen=True)
class _RefreshCredential:
    refresh: Refresh

    def check_client(self, client: ClientMixin) -> bool:
        return bool(client.get_client_id() == SCREEN_CLIENT_ID)

    def get_scope(self) -> str:
        return self.refresh.approved.screen.scopes


class _DeviceAuthorizationEndpoint(DeviceAuthorizationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = ["none"]
    EXPIRES_IN = int(DEVICE_CODE_LIFETIME.total_seconds())
    INTERVAL = POLL_INTERVAL

    def __init__(self, server: _ScreenServer, verification_uri: str) -> None:
        super().__init__(server)
        self._verification_uri = verification_uri
        self.issued: dict[str, Any] | None = None

    def get_verification_uri(self) -> str:
        return self._verification_uri

    def save_device_credential(
        self, client_id: str, scope: str | None, data: dict[str, Any]
    ) -> None:
        """Kept for the router, which stores it (hashed) after the answer is made."""
        self.issued = {"client_id": client_id, "scope": scope, **data}


class _DeviceCodeGrant(DeviceCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

    def query_device_credential(self, device_code: str) -> _DeviceCredential | None:
        poll = self.server.poll
        return _DeviceCredential(poll) if poll is not None else None

    def query_user_grant(self, user_code: str) -> tuple[ScreenUser | None, bool] | None:
        poll = self.server.poll
        if poll is None or poll.status == "pending":
            return None
        if poll.approved is not None:
            return ScreenUser(poll.approved), True
        return None, False  # denied, or approved but the screen was revoked since

    def should_slow_down(self, credential: _DeviceCredential) -> bool:
        return credential.poll.slow_down


class _RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ["none"]
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation: every refresh answers a new one

    def authenticate_refresh_token(self, refresh_token: str) -> _RefreshCredential | None:
        refresh = self.server.refresh
        return _RefreshCredential(refresh) if refresh is not None else None

    def authenticate_user(self, credential: _RefreshCredential) -> ScreenUser:
        return ScreenUser(credential.refresh.approved)

    def revoke_old_credential(self, credential: _RefreshCredential) -> None:
        """The router spends the old token when it stores the new one (one transaction)."""


class _ScreenTokenGenerator(_TokenGenerator):
    def __init__(self, settings: Settings, keys: KeyRing) -> None:
        super().__init__(settings, keys)
        ttl = int(min(settings.access_token_ttl, SCREEN_ACCESS_TOKEN_TTL).total_seconds())
        self.expires_generator = lambda _c, _g: ttl
        self.refresh_token_generator = lambda **_: generate_token(48)

    def get_extra_claims(
        self, client: ClientMixin, grant_type: str, user: ScreenUser, scope: str
    ) -> dict[str, Any]:
        screen = user.approved.screen
        # Each screen is its own client instance: its id is the client_id the verifier
        # checks against the disabled list, the rate limits and the audit log.
        return {
            "nbf": int(time.time()),
            "client_id": screen.screen_id,
            "tier": screen.tier,
            "area": screen.area_code,
            "area_path": user.approved.area_path,
        }


class _ScreenServer(AuthorizationServer):  # type: ignore[misc]
    def __init__(
        self,
        settings: Settings,
        keys: KeyRing,
        *,
        poll: Poll | None = None,
        refresh: Refresh | None = None,
    ) -> None:
        super().__init__(scopes_supported=sorted(SCREEN_SCOPES))
        self.poll, self.refresh = poll, refresh
        self.register_grant(_DeviceCodeGrant)
        self.register_grant(_RefreshTokenGrant)
        self.register_token_generator("default", _ScreenTokenGenerator(settings, keys))
        self.device_endpoint = _DeviceAuthorizationEndpoint(
            self, f"{settings.issuer.rstrip('/')}/device"
        )
        self.register_endpoint(self.device_endpoint)

    def query_client(self, client_id: str) -> ScreenClient | None:
        return ScreenClient() if client_id == SCREEN_CLIENT_ID else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """The router stores the refresh token (hashed) after the answer is made."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals."""

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        return _FormRequest(*request)

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("these endpoints take forms only")

    def handle_response(
        self, status: int, body: dict[str, Any], headers: list[tuple[str, str]]
    ) -> JSONResponse:
        return JSONResponse(body, status_code=status, headers=dict(headers))


SCREEN_GRANT_TYPES = (DEVICE_CODE_GRANT_TYPE, "refresh_token")


def device_authorization_response(
    *, method: str, url: str, headers: Headers, form: dict[str, str], settings: Settings,
    keys: KeyRing,
) -> tuple[JSONResponse, dict[str, Any] | None]:  # fmt: skip
    """RFC 8628 §3.1-3.2: the answer, and what to store (None if the request was refused)."""
    server = _ScreenServer(settings, keys)
    response: JSONResponse = server.create_endpoint_response(
        "device_authorization", (method, url, headers, form)
    )
    return response, server.device_endpoint.issued if response.status_code == 200 else None


def screen_token_response(
    *, method: str, url: str, headers: Headers, form: dict[str, str], settings: Settings,
    keys: KeyRing, poll: Poll | None = None, refresh: Refresh | None = None,
) -> JSONResponse:  # fmt: skip
    """The device code and refresh token grants on what the router loaded."""
    server = _ScreenServer(settings, keys, poll=poll, refresh=refresh)
    response: JSONResponse = server.create_token_response((method, url, headers, form))
    return response
