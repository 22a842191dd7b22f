"""Deny by default in GraphQL: every field that reaches data declares its scope, a token is
required before anything runs, and a field outside the token's scopes answers an error."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from app.auth.scopes import Scope, Tier
from app.core.config import Settings
from app.core.db import Database
from app.graphql.permissions import declared_scope
from app.graphql.schema import build_schema
from tests.fixtures.auth import mint_token
from tests.graphql.helpers import error_codes, gql

ROOTS = ("Query", "Mutation", "Subscription")


def _fields(settings: Settings) -> list[tuple[str, StrawberryField]]:
    schema = build_schema(settings)
    found = []
    for name, graphql_type in schema._schema.type_map.items():
        definition = (
            graphql_type.extensions.get("strawberry-definition")
            if hasattr(graphql_type, "extensions") and graphql_type.extensions
            else None
        )
        if isinstance(definition, StrawberryObjectDefinition):
            found += [(f"{name}.{field.python_name}", field) for field in definition.fields]
    return found


def test_every_root_field_and_every_loading_field_declares_a_scope(settings: Settings) -> None:
    fields = _fields(settings)
    roots = [(name, field) for name, field in fields if name.split(".")[0] in ROOTS]
    loading = [(name, field) for name, field in fields if field.base_resolver is not None]
    undeclared = [
        name for name, field in roots + loading if declared_scope(field.extensions) is None
    ]
    assert not undeclared, undeclared
    assert len(roots) >= 10  # the walk saw the schema
    assert len(loading) >= len(roots) + 5


def test_the_scopes_declared_are_the_rest_ones(settings: Settings) -> None:
    declared = {name: declared_scope(field.extensions) for name, field in _fields(settings)}
    assert declared["Query.board"] is Scope.STATUS_READ
    assert declared["Query.alerts"] is Scope.ALERTS_READ
    assert declared["Mutation.acknowledge_alert"] is Scope.ALERTS_WRITE
    assert declared["Subscription.alert_changed"] is Scope.ALERTS_READ
    assert declared["Jurisdiction.children"] is Scope.REGISTRY_READ


pytestmark_async = pytest.mark.asyncio(loop_scope="session")


@pytestmark_async
async def test_no_token_is_401_problem_before_parsing(anonymous: httpx.AsyncClient) -> None:
    response = await anonymous.post("/graphql", json={"query": "{ board { dataVersion } }"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    bad = await anonymous.post(
        "/graphql", json={"query": "{ board { dataVersion } }"},
        headers={"Authorization": "Bearer not.a.token"},
    )  # fmt: skip
    assert bad.status_code == 401


@pytestmark_async
async def test_a_field_outside_the_tokens_scopes_is_refused_and_the_rest_answers(
    app: FastAPI, demo: Database
) -> None:
    token = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_street",
                             scopes={"status:read"})  # fmt: skip
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://pilehub.test",
        headers={"Authorization": f"Bearer {token}"},
    ) as client:  # fmt: skip
        answer = await gql(client, "{ board { area { code } } alerts { nodes { id } } }")
        assert answer["data"] is None  # alerts is non-null, so the refusal nulls the root
        assert error_codes(answer) == ["insufficient-scope"]
        assert answer["errors"][0]["path"] == ["alerts"]
        ok = await gql(client, "{ board { area { code } } }")
        assert ok["data"]["board"]["area"]["code"] == "310105011"
        # A nested field is checked too: the pile registry needs registry:read.
        nested = await gql(client, "{ area { code } }")
        assert error_codes(nested) == ["insufficient-scope"]
        write = await gql(client, "mutation { acknowledgeAlert(id: 1) { __typename } }")
        assert error_codes(write) == ["insufficient-scope"]
