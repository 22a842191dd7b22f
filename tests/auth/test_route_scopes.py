"""Deny by default: every route declares its scope, or is public on purpose."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app.auth.deps import ScopeGuard
from app.core.config import Settings
from app.main import create_app

# Public by design: health and metrics (operations; counts only), the OAuth2 endpoints that
# authenticate clients themselves, metadata and JWKS, and the T/CEC receivers (operators
# authenticate with the protocol's own tokens), and the wall screen's page and assets and the
# device-flow page (no data: the page signs in and reads the API with its own token).
PUBLIC_PREFIXES = ("/healthz", "/readyz", "/metrics", "/oauth/", "/.well-known/", "/evcs/v1/",
                   "/screen", "/device")  # fmt: skip
# One route, many fields: every GraphQL field declares its own scope, and the route itself
# requires a valid token (tests/graphql/test_scopes.py checks both).
FIELD_SCOPED = ("/graphql",)


def _guards(dependant: Dependant) -> list[ScopeGuard]:
    found = [dependant.call] if isinstance(dependant.call, ScopeGuard) else []
    for child in dependant.dependencies:
        found += _guards(child)
    return found


def test_every_route_declares_exactly_one_scope_or_is_public(settings: Settings) -> None:
    app: FastAPI = create_app(settings)
    undeclared, checked = [], 0
    for context in iter_route_contexts(app.routes):  # included routers, with their prefixes
        route, path = context.route, context.path or ""
        if not isinstance(route, APIRoute):
            continue  # the OpenAPI document and its docs page
        guards = _guards(route.dependant)
        if path in FIELD_SCOPED:
            assert not guards, f"{path} checks scopes per field"
            continue
        if path.startswith(PUBLIC_PREFIXES):
            assert not guards, f"{path} is public but takes a scope"
            continue
        checked += 1
        if len(guards) != 1:
            undeclared.append(f"{sorted(route.methods or ())} {path}: {len(guards)} scopes")
    assert not undeclared, undeclared
    assert checked >= 12  # /v1 routes, admin routes
