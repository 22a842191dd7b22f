"""Checking access tokens on every API request (the resource-server side).

authlib's RFC 9068 validator does the claim checks; around it, what authlib leaves open
(security-and-reliability.md §2.2): the algorithm is pinned to the one the hub issues, the
`typ` header must be `at+jwt` (authlib accepts a token without one), tokens over 8 KB are
refused before parsing, and exp / nbf get a small leeway. A verified token is remembered until
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

from app.auth.keys import ALGORITHM, KeyRing
from app.auth.principal import Principal
from app.auth.scopes import Tier, parse_scopes
from app.auth.trust import AuthSnapshot
from app.core.config import Settings
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
            claims = validator.authenticate_token(token)
            validator.validate_token(claims, None, None)
            principal = Principal(
                subject=str(claims["client_id"]),
                tier=Tier(claims["tier"]),
                area_code=str(claims["area"]),
                area_path=str(claims["area_path"]),
                scopes=frozenset(parse_scopes(claims.get("scope"))),
            )
            if not principal.area_path.endswith(f"/{principal.area_code}/") and (
                principal.area_path != f"{principal.area_code}/"
            ):
                raise ValueError("area and area_path disagree")
            return VerifiedToken(principal, str(claims["jti"]), int(claims["exp"]))
        except InvalidTokenError:
            raise TokenRejected("invalid token") from None
        except (KeyError, ValueError, TypeError):  # signed by us, but not our claims
            raise TokenRejected("invalid token claims") from None


TOKEN_VERIFIER: ProcessPart[TokenVerifier] = ProcessPart("token_verifier")
