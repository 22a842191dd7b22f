"""Each limit refuses a document before any resolver runs: the refused documents carry a
mutation that would acknowledge an alert, and the alert stays open."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from app.alerts.schemas import AlertState
from app.core.config import Environment, Settings
from app.core.db import Database
from app.main import create_app
from app.models import Alert
from tests.fixtures.auth import mint_token
from tests.graphql.helpers import gql, open_alert

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _state(database: Database, alert_id: int) -> str:
    async with database.session() as session:
        alert = await session.get(Alert, alert_id)
    assert alert is not None
    return alert.state


def _acknowledge(alert_id: int, alias: str = "ack") -> str:
    return f'{alias}: acknowledgeAlert(id: {alert_id}, note: "x") {{ __typename }}'


async def _refused(client: httpx.AsyncClient, document: str, database: Database,
                   alert_id: int) -> str:  # fmt: skip
    answer = await gql(client, document)
    assert answer.get("data") is None, answer
    assert await _state(database, alert_id) == AlertState.OPEN  # nothing ran
    (error,) = answer["errors"]
    assert "path" not in error
    return str(error["message"])


async def test_too_many_aliases(client: httpx.AsyncClient, demo: Database) -> None:
    alert_id = await open_alert(demo)
    fields = " ".join(_acknowledge(alert_id, f"a{n}") for n in range(16))
    message = await _refused(client, f"mutation {{ {fields} }}", demo, alert_id)
    assert "16 aliases found. Allowed: 15" in message


async def test_too_deep(client: httpx.AsyncClient, demo: Database) -> None:
    alert_id = await open_alert(demo)
    deep = "area { " + "children { nodes { " * 4 + "code" + " } }" * 4 + " }"  # depth 9
    document = f"mutation Ack {{ {_acknowledge(alert_id)} }} query Deep {{ {deep} }}"
    answer = await client.post("/graphql", json={"query": document, "operationName": "Deep"})
    assert answer.status_code == 200
    errors = answer.json()["errors"]
    assert "exceeds maximum operation depth of 8" in errors[0]["message"]
    # The mutation of the same document is refused too: validation covers the document.
    answer = await client.post("/graphql", json={"query": document, "operationName": "Ack"})
    assert await _state(demo, alert_id) == AlertState.OPEN
    assert "depth" in answer.json()["errors"][0]["message"]


async def test_too_many_tokens(client: httpx.AsyncClient, demo: Database) -> None:
    alert_id = await open_alert(demo)
    padding = " ".join(["__typename"] * 2000)
    document = f"mutation {{ {_acknowledge(alert_id)} {padding} }}"
    message = await _refused(client, document, demo, alert_id)
    assert "more than 2000 tokens" in message


async def test_a_body_over_the_cap_is_413(client: httpx.AsyncClient, demo: Database) -> None:
    response = await client.post("/graphql", json={"query": "{ " + " " * 70_000 + "}"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_batching_get_and_non_json_are_refused(
    client: httpx.AsyncClient, demo: Database
) -> None:
    batch = await client.post("/graphql", json=[{"query": "{ board { dataVersion } }"}] * 2)
    assert batch.status_code == 400
    assert "Batched" in batch.json()["detail"]
    get = await client.get("/graphql", params={"query": "{ board { dataVersion } }"})
    assert get.status_code in {400, 404, 405}  # strawberry: "queries are not allowed via GET"
    assert "dataVersion" not in get.text
    text = await client.post(
        "/graphql", content=b"{ board }", headers={"content-type": "text/plain"}
    )
    assert text.status_code == 400
    broken = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
    subscription = await client.post(
        "/graphql", json={"query": "subscription { statusChanged { eventId } }"}
    )
    assert subscription.status_code == 400


@pytest.mark.parametrize(
    ("document", "operation", "expected"),
    [
        ("query A { board { dataVersion } }", "B", "Unknown operation named 'B'."),
        ("query A { board { dataVersion } } query B { area { code } }", None,
         "Must provide operation name"),
        ("fragment F on Query { board { dataVersion } }", None, "no operation"),
    ],
)  # fmt: skip
async def test_a_document_naming_no_runnable_operation_is_a_request_error(
    client: httpx.AsyncClient, demo: Database, document: str, operation: str | None,
    expected: str,
) -> None:  # fmt: skip
    """GraphQL over HTTP: a request error (no `data` at all), never a 500."""
    answer = await client.post("/graphql", json={"query": document, "operationName": operation})
    assert answer.status_code == 200
    body = answer.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert expected in error["message"]


@pytest_asyncio.fixture
async def strict(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """An app with tighter limits, as production, where introspection is off and errors are
    masked."""
    tight = settings.model_copy(
        update={"graphql_max_depth": 3, "graphql_max_aliases": 1, "env": Environment.PRODUCTION,
                "secret_key": settings.secret_key.__class__("x" * 40),
                "snapshot_max_age": timedelta(0)}
    )  # fmt: skip
    app: FastAPI = create_app(tight, database=database)
    headers = {"Authorization": f"Bearer {await mint_token(app)}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://pilehub.test", headers=headers
    ) as client:
        yield client


async def test_limits_are_configurable_and_production_hides_the_schema(
    strict: httpx.AsyncClient, demo: Database
) -> None:
    ok = await gql(strict, "{ board { area { counts { total } } } }")
    assert "errors" not in ok
    deep = await gql(strict, "{ area { children { nodes { children { nodes { code } } } } } }")
    assert "exceeds maximum operation depth of 3" in deep["errors"][0]["message"]
    aliases = await gql(strict, "{ a: board { dataVersion } b: board { dataVersion } }")
    assert "2 aliases found. Allowed: 1" in aliases["errors"][0]["message"]
    introspection = await gql(strict, "{ __schema { types { name } } }")
    assert introspection.get("data") is None
    assert "introspection" in introspection["errors"][0]["message"].lower()
    ide = await strict.get("/graphql", headers={"accept": "text/html"})
    assert ide.status_code in {404, 405}
