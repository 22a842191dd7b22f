"""Resource protection: one dependency per scope, and the only way a route learns who asks.

Every REST route declares its scope by taking one of the aliases at the end (`StatusRead`,
...); a test walks the routes and fails on one that does not, unless it is public by design.
Order of checks: a bearer token at all (401) → the token (401 invalid_token) → the scope
(403 insufficient_scope) → for vendors, the route in their data contract (403
outside-vendor-contract, app/auth/vendors.py) → the client's rate (429 with Retry-After).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from app.auth import vendors
from app.auth.principal import Principal
from app.auth.ratelimit import API_LIMITER, retry_after
from app.auth.scopes import Scope
from app.auth.trust import AUTH_STATE
from app.auth.verifier import TOKEN_VERIFIER, TokenRejected, VerifiedToken
from app.core.errors import Forbidden, TooManyRequests, Unauthorized

REALM = 'Bearer realm="pilehub"'


_RESOLVED = "pilehub.principal"  # request scope key: checked once per request
_EXPIRES = "pilehub.token_expires_at"


def bearer_token(request: Request) -> str | None:
    """The access token of an `Authorization: Bearer` header, if there is one."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def token_expiry(request: Request) -> float:
    """When the request's token expires (epoch seconds): long-lived streams end then."""
    expires: float = request.scope[_EXPIRES]
    return expires


def resolved_principal(scope: Mapping[str, Any]) -> Principal | None:
    """Who this request was authenticated as, if it was (for the audit log)."""
    principal: Principal | None = scope.get(_RESOLVED)
    return principal


async def authenticate(request: Request, scope: Scope) -> Principal:
    resolved: Principal | None = request.scope.get(_RESOLVED)
    if resolved is not None and scope in resolved.scopes:
        return resolved  # the fast path already checked (and counted) this request
    verified = await verify_access_token(request, bearer_token(request))
    principal = verified.principal
    if scope not in principal.scopes:
        challenge = f'{REALM}, error="insufficient_scope", scope="{scope}"'
        raise Forbidden(f"This needs the {scope} scope.", headers={"WWW-Authenticate": challenge},
                        required_scope=str(scope))  # fmt: skip
    if principal.is_vendor:
        _within_vendor_contract(request)
    charge_rate(request, principal)
    request.scope[_RESOLVED] = principal
    request.scope[_EXPIRES] = verified.expires_at
    return principal


def _within_vendor_contract(request: Request) -> None:
    """Vendors reach only the routes, and parameter values, their contract lists."""
    name = vendors.route_of(request.method, request.scope["path"])
    params = request.query_params
    arguments = {parameter: params.getlist(parameter) for parameter in vendors.ROUTES.get(name, {})}
    reason = vendors.refused(vendors.ROUTES, name, arguments)
    if reason is not None:
        raise vendors.OutsideVendorContract(reason)


async def verify_access_token(connection: HTTPConnection, token: str | None) -> VerifiedToken:
    """The caller behind a bearer token; 401 with a challenge when there is none or it fails."""
    if token is None:
        raise Unauthorized(
            "A bearer access token is required.", headers={"WWW-Authenticate": REALM}
        )
    try:
        return TOKEN_VERIFIER.of(connection).verify(
            token, await AUTH_STATE.of(connection).current()
        )
    except TokenRejected as rejected:
        challenge = f'{REALM}, error="invalid_token", error_description="{rejected}"'
        raise Unauthorized(f"The access token is not valid: {rejected}.",
                           headers={"WWW-Authenticate": challenge}) from None  # fmt: skip


def charge_rate(connection: HTTPConnection, principal: Principal) -> None:
    """Count one request against the client's rate; 429 with Retry-After beyond it."""
    wait = API_LIMITER.of(connection).acquire(principal.subject)
    if wait:
        raise TooManyRequests("Rate limit reached for this client.",
                              headers={"Retry-After": retry_after(wait)})  # fmt: skip


def mark_audited(request: Request, principal: Principal) -> None:
    """Have the audit log record this request as the principal's write (GraphQL mutations:
    one route carries reads and writes, so it says which it was)."""
    request.scope[_RESOLVED] = principal


class ScopeGuard:
    """The dependency for one scope; `scope` is what the route-coverage test reads."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    async def __call__(self, request: Request) -> Principal:
        return await authenticate(request, self.scope)


_GUARDS = {scope: ScopeGuard(scope) for scope in Scope}


def guard(scope: Scope) -> ScopeGuard:
    """The same check, for hot paths that run before FastAPI's dependencies (board)."""
    return _GUARDS[scope]


# `principal: StatusRead` in a route: the caller, holding that scope.
RegistryRead = Annotated[Principal, Depends(_GUARDS[Scope.REGISTRY_READ])]
StatusRead = Annotated[Principal, Depends(_GUARDS[Scope.STATUS_READ])]
EnergyRead = Annotated[Principal, Depends(_GUARDS[Scope.ENERGY_READ])]
SessionsRead = Annotated[Principal, Depends(_GUARDS[Scope.SESSIONS_READ])]
AlertsRead = Annotated[Principal, Depends(_GUARDS[Scope.ALERTS_READ])]
AlertsWrite = Annotated[Principal, Depends(_GUARDS[Scope.ALERTS_WRITE])]
WebhooksManage = Annotated[Principal, Depends(_GUARDS[Scope.WEBHOOKS_MANAGE])]
AuditRead = Annotated[Principal, Depends(_GUARDS[Scope.AUDIT_READ])]
ClientsManage = Annotated[Principal, Depends(_GUARDS[Scope.CLIENTS_MANAGE])]
OperatorsManage = Annotated[Principal, Depends(_GUARDS[Scope.OPERATORS_MANAGE])]
