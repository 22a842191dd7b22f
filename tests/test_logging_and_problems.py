"""Cross-cutting HTTP behaviour: request ids, problem+json for routing errors, health, JSON logs."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import orjson
import pytest
import pytest_asyncio

from app.core.config import Settings
from app.core.db import Database
from app.health.service import head_revision
from app.main import create_app
from tests.fixtures.auth import mint_token
from tests.fixtures.logs import json_log_lines
from tests.fixtures.problems import assert_problem

pytestmark = pytest.mark.asyncio

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


# -- request ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/healthz", "/readyz", "/v1/board", "/v1/piles", "/v1/nope", "/v1/piles/0"]
)
async def test_every_response_carries_a_request_id(
    client: httpx.AsyncClient, database: Database, path: str
) -> None:
    response = await client.get(path)
    assert GENERATED_ID.match(response.headers["x-request-id"])
    assert len(response.headers.get_list("x-request-id")) == 1


async def test_generated_request_ids_differ_per_request(
    client: httpx.AsyncClient, database: Database
) -> None:
    ids = {(await client.get("/healthz")).headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5


@pytest.mark.parametrize("request_id", ["abc-123", "A.b_c-9", "x" * 64, "0"])
async def test_a_sane_incoming_request_id_is_echoed(
    client: httpx.AsyncClient, database: Database, request_id: str
) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": request_id})
    assert response.headers.get_list("x-request-id") == [request_id]


async def test_a_sane_request_id_is_echoed_on_problems_too(
    client: httpx.AsyncClient, database: Database
) -> None:
    response = await client.get("/v1/nope", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "abc-123"


@pytest.mark.parametrize(
    "request_id",
    [
        "a" * 65,
        "a" * 100,
        "<script>alert(1)</script>",
        "abc 123",
        "abc;rm",
        "abc/../x",
        "id=1",
        "ünïcode",
        "",
    ],
)
async def test_an_unsafe_incoming_request_id_is_replaced(
    client: httpx.AsyncClient, database: Database, request_id: str
) -> None:
    response = await client.get("/healthz", headers={b"X-Request-ID": request_id.encode()})
    assert response.status_code == 200
    (echoed,) = response.headers.get_list("x-request-id")
    assert echoed != request_id
    assert GENERATED_ID.match(echoed)


# -- problem+json for routing errors -------------------------------------------------------------


async def test_unknown_route_is_a_404_problem(
    client: httpx.AsyncClient, database: Database
) -> None:
    problem = assert_problem(await client.get("/v1/nope"), 404, "not-found")
    assert problem["instance"] == "/v1/nope"


async def test_wrong_method_is_a_405_problem_with_allow(
    client: httpx.AsyncClient, database: Database
) -> None:
    response = await client.post("/v1/board")
    assert_problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["allow"]


async def test_validation_problem_lists_errors_without_echoing_input(
    client: httpx.AsyncClient, database: Database
) -> None:
    problem = assert_problem(
        await client.get("/v1/board", params={"area": "<b>x</b>"}), 422, "validation-error"
    )
    assert problem["errors"]
    assert problem["errors"][0]["loc"] == ["query", "area"]
    assert "<b>" not in orjson.dumps(problem).decode()


# -- health --------------------------------------------------------------------------------------


async def test_healthz_is_ok(client: httpx.AsyncClient, database: Database) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_the_migrated_schema(
    client: httpx.AsyncClient, database: Database, backend: str
) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["database"] == backend
    assert body["schema_revision"]
    assert body["schema_revision"] == head_revision()
    assert body["expected_revision"] == body["schema_revision"]


# -- JSON logs -----------------------------------------------------------------------------------


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Root logging rendered as JSON lines into a buffer; the test configuration restored after."""
    with json_log_lines("INFO") as buffer:
        yield buffer


@pytest_asyncio.fixture
async def logging_client(
    settings: Settings, database: Database
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"access_log": True}), database=database)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {await mint_token(app)}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="https://pilehub.test", headers=headers
    ) as client:
        yield client


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for line in buffer.getvalue().splitlines():
        record = orjson.loads(line)
        assert isinstance(record, dict), line
        records.append(record)
    return records


async def test_json_logs_are_one_object_per_line_with_the_request_id(
    json_log: io.StringIO, logging_client: httpx.AsyncClient
) -> None:
    generated = await logging_client.get("/healthz")
    echoed = await logging_client.get("/v1/nope", headers={"X-Request-ID": "abc-123"})

    records = _lines(json_log)
    access = [r for r in records if r.get("logger") == "pilehub.access"]
    assert len(access) == 2
    first, second = access
    assert first["request_id"] == generated.headers["x-request-id"]
    assert first["event"] == "request"
    assert first["method"] == "GET"
    assert first["path"] == "/healthz"
    assert first["status"] == 200
    assert first["level"] == "info"
    assert isinstance(first["ms"], float | int)
    assert first["timestamp"].endswith("Z")
    assert second["request_id"] == echoed.headers["x-request-id"] == "abc-123"
    assert second["status"] == 404
    assert second["path"] == "/v1/nope"


async def test_json_logs_of_the_standard_library_carry_the_request_id_too(
    json_log: io.StringIO, logging_client: httpx.AsyncClient
) -> None:
    # A stdlib logger (as uvicorn or alembic use) goes through the same renderer.
    logging.getLogger("some.library").warning("plain %s", "message")
    await logging_client.get("/healthz", headers={"X-Request-ID": "req-7"})

    records = _lines(json_log)
    plain = [r for r in records if r.get("logger") == "some.library"]
    assert len(plain) == 1
    assert plain[0]["event"] == "plain message"
    assert plain[0]["level"] == "warning"
    assert "request_id" not in plain[0]  # logged outside a request
    access = [r for r in records if r.get("logger") == "pilehub.access"]
    assert [r["request_id"] for r in access] == ["req-7"]


async def test_the_request_id_is_unbound_after_the_request(
    json_log: io.StringIO, logging_client: httpx.AsyncClient
) -> None:
    await logging_client.get("/healthz", headers={"X-Request-ID": "gone-after"})
    logging.getLogger("after").warning("later")
    records = _lines(json_log)
    (later,) = [r for r in records if r.get("logger") == "after"]
    assert "request_id" not in later
