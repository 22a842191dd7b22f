"""schemathesis in GraphQL mode: queries and mutations generated from the committed SDL
(openapi/schema.graphql), valid and invalid arguments alike, sent to the real app on the
Beixinjing demo. No answer may be a server error: every error is either a refusal while
validating (no `path`) or a domain error carrying the REST problem code."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
import schemathesis
from graphql import IntValueNode, StringValueNode
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok

from app.core.config import RateLimit, Settings
from app.core.db import Database
from app.core.pagination import encode_cursor
from app.scripts.export_contracts import GRAPHQL_PATH

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The fuzzer sends its few hundred documents as fast as the app answers them; the
    per-client rate limit (50/s after a burst of 200) is not what it tests, and once the
    answers got fast enough it refused the last ones with 429."""
    return settings.model_copy(update={"api_rate": RateLimit(per_second=1e6, burst=10**6)})


EXAMPLES_PER_OPERATION = 30
CLIENT_CODES = {"insufficient-scope", "area-not-found", "not-found", "bad-request",
                "not-a-community", "range-too-large", "range-reversed",
                "range-in-future", "range-outside-window"}  # fmt: skip

AREAS = ["310000", "310105", "310105011", "310105011001", "310104", "999999", "310105010"]
schemathesis.graphql.scalar(
    "PageSize", st.integers(-5, 1500).map(lambda n: IntValueNode(value=str(n)))
)
schemathesis.graphql.scalar(
    "AreaCode",
    st.one_of(st.sampled_from(AREAS), st.text(max_size=14)).map(lambda s: StringValueNode(value=s)),
)
schemathesis.graphql.scalar(
    "Cursor",
    st.one_of(st.integers(0, 2**40).map(encode_cursor), st.text(max_size=30)).map(
        lambda s: StringValueNode(value=s)
    ),
)
schemathesis.graphql.scalar(
    "LogCursor",
    st.one_of(st.integers(0, 2**64).map(encode_cursor), st.text(max_size=30)).map(
        lambda s: StringValueNode(value=s)
    ),
)
schemathesis.graphql.scalar(
    "Date",
    st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)).map(
        lambda d: StringValueNode(value=d.isoformat())
    ),
)
schemathesis.graphql.scalar(
    "EventId", st.integers(-1, 2**64).map(lambda n: IntValueNode(value=str(n)))
)
schemathesis.graphql.scalar(
    "LogId", st.integers(-1, 2**64).map(lambda n: IntValueNode(value=str(n)))
)


def _examples(strategy: st.SearchStrategy[Any]) -> list[str]:
    found: list[str] = []

    @given(strategy)
    @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, database=None, deadline=None,
              derandomize=True, suppress_health_check=list(HealthCheck))  # fmt: skip
    def collect(case: Any) -> None:
        found.append(case.body)

    collect()
    return found


def generated_documents() -> list[tuple[str, str]]:
    """(operation label, document) for every query and mutation, deterministically."""
    schema = schemathesis.graphql.from_path(GRAPHQL_PATH)
    documents: list[tuple[str, str]] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if operation.label.startswith("Subscription."):
            continue  # subscriptions are exercised over WebSockets (test_subscriptions.py)
        documents += [(operation.label, body) for body in _examples(operation.as_strategy())]
    return documents


async def test_generated_queries_never_cause_a_server_error(
    client: httpx.AsyncClient, demo: Database
) -> None:
    documents = generated_documents()
    assert len(documents) >= 200
    assert len({label for label, _ in documents}) == 13  # 10 queries, 3 mutations
    outcomes = {"data": 0, "refused": 0, "domain error": 0}
    for label, document in documents:
        response = await client.post("/graphql", json={"query": document})
        assert response.status_code == 200, (label, document, response.text)
        errors = response.json().get("errors", [])
        outcomes[
            "data" if not errors else "domain error" if "path" in errors[0] else "refused"
        ] += 1
        for error in errors:
            if "path" in error:  # raised while resolving: must be a caller's error, with a code
                code = (error.get("extensions") or {}).get("code")
                assert code in CLIENT_CODES, (label, document, error)
    # The generated documents exercised answers and refusals alike.
    assert min(outcomes.values()) > 0, outcomes
