"""Checking access tokens on every API request (the resource-server side).

authlib's RFC 9068 validator does the standard claim checks; around it, what authlib leaves
open: the algorithm is pinned to the one the hub issues, the
`typ` header must be `at+jwt` (authlib accepts a token without one), tokens over 8 KB are
refused before parsing, exp / nbf get a small leeway, and the hub's own claims must have the
types the hub writes (a signed token with `scope` as a list, or an `exp` centuries ahead, is a
401 like any other bad token, never a 500). A verified token is remembered until
it expires, so a dashboard's polls cost a dictionary lookup, not a signature check; the
denylist and disabled clients are still checked on every request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from authlib.oauth2.rfc6750.errors import InvalidTokenError
from authlib.oauth2.rfc9068 import JWTBearerTokenValidator
from joserfc import jws
from joserfc.errors import JoseError
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from app.auth.keys import ALGORITHM, KeyRing
from app.auth.principal import Principal
from app.auth.scopes import Tier, parse_scopes
from app.auth.trust import AuthSnapshot
from app.core.config import MAX_ACCESS_TOKEN_TTL, Settings
from app.core.parts import ProcessPart

MAX_TOKEN_BYTES = 8 * 1024
_MAX_CACHED = 10_000


class TokenRejected(Exception):
    """The bearer token is not acceptable (answered 401 invalid_token)."""


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    principal: Principal
    jti: str
    expires_at: int  # epoch seconds


class _HubClaims(BaseModel):
    """The claims the hub writes into its access tokens, with their types."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    client_id: StrictStr = Field(min_length=1, max_length=200)
    tier: Tier
    area: StrictStr = Field(min_length=1)
    area_path: StrictStr = Field(min_length=2)
    scope: StrictStr = ""
    jti: StrictStr = Field(min_length=1, max_length=200)
    exp: StrictInt


class _Validator(JWTBearerTokenValidator):  # type: ignore[misc]
    def __init__(self, settings: Settings, keys: KeyRing) -> None:
        super().__init__(issuer=settings.issuer, resource_server=settings.token_audience)
        self._keys = keys
        self._leeway = int(settings.token_leeway.total_seconds())

    def get_jwks(self) -> Any:
        return self._keys.verification

    def authenticate_token(self, token_string: str) -> Any:
        try:
            header = jws.extract_compact(token_string.encode("ascii")).headers()
        except (JoseError, UnicodeError, ValueError):
            raise InvalidTokenError() from None
        # Explicit typing (RFC 9068 §4, RFC 8725 §3.11) and the one algorithm (§3.1).
        if header.get("typ") != "at+jwt" or header.get("alg") != ALGORITHM:
            raise InvalidTokenError()
        return super().authenticate_token(token_string)

    def validate_token(self, token: Any, scopes: Any, request: Any, **_: Any) -> None:
        try:
            token.validate(leeway=self._leeway)
        except JoseError:
            raise InvalidTokenError() from None


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._max_lifetime = (MAX_ACCESS_TOKEN_TTL + settings.token_leeway).total_seconds()
        self._cache: dict[str, VerifiedToken] = {}
        self._version = -1

    def verify(self, token: str, snapshot: AuthSnapshot) -> VerifiedToken:
        if snapshot.version != self._version:  # keys may have changed: verify afresh
            self._cache.clear()
            self._version = snapshot.version
        verified = self._cache.get(token)
        if verified is None or verified.expires_at <= time.time():
            verified = self._verify(token, snapshot.keys)
            if len(self._cache) >= _MAX_CACHED:
                self._cache.clear()
            self._cache[token] = verified
        if verified.jti in snapshot.revoked_jtis:
            raise TokenRejected("token revoked")
        if verified.principal.subject in snapshot.disabled_clients:
            raise TokenRejected("client disabled")
        return verified

    def _verify(self, token: str, keys: KeyRing) -> VerifiedToken:
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenRejected("token too large")
        validator = _Validator(self._settings, keys)
        try:
            signed = validator.authenticate_token(token)
            claims = _HubClaims.model_validate(dict(signed))  # types first: authlib's
            validator.validate_token(signed, None, None)  # time checks assume numbers
        except InvalidTokenError:
            raise TokenRejected("invalid token") from None
        except (ValueError, TypeError, OverflowError):  # signed by us, but not our claims
            raise TokenRejected("invalid token claims") from None
        # No token the hub issues lives longer than the longest access-token lifetime.
        if claims.exp > time.time() + self._max_lifetime:
            raise TokenRejected("invalid token claims")
        area_path, area = claims.area_path, claims.area
        if not (area_path.endswith(f"/{area}/") or area_path == f"{area}/"):
            raise TokenRejected("invalid token claims")  # area and area_path disagree
        principal = Principal(
            subject=claims.client_id,
            tier=claims.tier,
            area_code=area,
            area_path=area_path,
            scopes=frozenset(parse_scopes(claims.scope)),
        )
        return VerifiedToken(principal, claims.jti, claims.exp)


TOKEN_VERIFIER: ProcessPart[TokenVerifier] = ProcessPart("token_verifier")
