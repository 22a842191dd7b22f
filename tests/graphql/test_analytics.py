"""The analytics in GraphQL are the REST answers, field for field: energy, utilisation,
off-peak guidance, siting and uptime, each queried with every field of its type (built from
the schema) and compared with its REST route on the same data. Their long lists are pages
here: walking the pages gives the REST list."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx
import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, get_named_type

from app.core.config import Settings
from app.core.db import Database
from app.core.time import LOCAL_TZ
from app.graphql.schema import build_schema
from tests.energy.helpers import charged_piles, report_statuses
from tests.graphql.helpers import error_codes, gql

pytestmark = pytest.mark.asyncio(loop_scope="session")
RANGE = {"from": "2026-10-01", "to": "2026-11-30"}
ANALYTICS = {  # field: (REST path, extra REST parameters, extra GraphQL arguments)
    "energy": ("/v1/energy", {"granularity": "month"}, "granularity: MONTH"),
    "utilisation": ("/v1/utilization", {"granularity": "month"}, "granularity: MONTH"),
    "offPeakGuidance": ("/v1/guidance/off-peak", {}, ""),
    "siting": ("/v1/guidance/siting", {}, ""),
    "uptime": ("/v1/uptime", {}, ""),
}


def selection(schema: GraphQLSchema, type_name: str) -> str:
    """Every field of an object type, recursively (no field here takes arguments)."""
    graphql_type = schema.type_map[type_name]
    assert isinstance(graphql_type, GraphQLObjectType)
    parts = []
    for name, field in graphql_type.fields.items():
        named = get_named_type(field.type)
        if isinstance(named, GraphQLObjectType):
            parts.append(f"{name} {{ {selection(schema, named.name)} }}")
        else:
            parts.append(name)
    return " ".join(parts)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def normalised(value: Any) -> Any:
    """GraphQL's camelCase keys and enum NAMEs as REST writes them; a page as its list (the
    default page holds these test areas' whole lists, as the page info says)."""
    if isinstance(value, dict) and value.keys() == {"nodes", "pageInfo"}:
        assert value["pageInfo"] == {"endCursor": None, "hasNextPage": False}
        return normalised(value["nodes"])
    if isinstance(value, dict):
        renamed = {snake(key): normalised(item) for key, item in value.items()}
        for rest, graph in (("from", "from_date"), ("to", "to_date")):
            if graph in renamed:
                renamed[rest] = renamed.pop(graph)
        return renamed
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, str) and re.fullmatch(r"[A-Z_]+", value):
        return value.lower()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT.*", value):
        return datetime.fromisoformat(value)  # the same instant: "Z" in REST, "+00:00" here
    return value


def _type_of(schema: GraphQLSchema, field: str) -> str:
    query = schema.query_type
    assert query is not None
    graphql_type = query.fields[field].type
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return str(getattr(graphql_type, "name", ""))


@pytest.mark.parametrize("field", list(ANALYTICS))
async def test_every_analytics_field_is_its_rest_answer(
    field: str, client: httpx.AsyncClient, settings: Settings, database: Database
) -> None:
    ours, _theirs = await charged_piles(database)
    await report_statuses(database, ours[0], [(_at("2026-11-05T08:00"), 255),
                                              (_at("2026-11-05T12:00"), 1)])  # fmt: skip
    schema = build_schema(settings)._schema
    path, rest_extra, graph_extra = ANALYTICS[field]
    arguments = f'area: "310105011", from: "{RANGE["from"]}", to: "{RANGE["to"]}" {graph_extra}'
    query = f"{{ {field}({arguments}) {{ {selection(schema, _type_of(schema, field))} }} }}"
    answer = await gql(client, query)
    assert "errors" not in answer, answer
    rest = await client.get(path, params={"area": "310105011", **RANGE, **rest_extra})
    assert rest.status_code == 200, rest.text
    assert normalised(answer["data"][field]) == normalised(rest.json())


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


async def test_range_errors_carry_the_rest_codes(
    client: httpx.AsyncClient, database: Database
) -> None:
    reversed_range = await gql(
        client, '{ energy(from: "2026-11-30", to: "2026-10-01") { periods } }'
    )
    assert error_codes(reversed_range) == ["range-reversed"]
    too_long = await gql(client, '{ energy(from: "2020-01-01", to: "2026-11-30") { periods } }')
    assert error_codes(too_long) == ["range-too-large"]
    assert too_long["errors"][0]["extensions"]["status"] == 422


async def test_walking_the_pages_of_a_list_gives_the_rest_list(
    client: httpx.AsyncClient, demo: Database
) -> None:
    rest = await client.get("/v1/uptime", params={"area": "310105011", **RANGE})
    assert rest.status_code == 200, rest.text
    expected = [c["connector_id"] for c in rest.json()["connectors"]]
    assert len(expected) >= 17  # Beixinjing's piles: pages of 5
    walked: list[str] = []
    after: str | None = None
    for _ in range(len(expected)):
        page = await gql(
            client,
            """query($after: Cursor) { uptime(area: "310105011", from: "2026-10-01",
              to: "2026-11-30") { connectors(first: 5, after: $after) {
              nodes { connectorId } pageInfo { endCursor hasNextPage } } } }""",
            {"after": after},
        )
        connectors = page["data"]["uptime"]["connectors"]
        walked += [node["connectorId"] for node in connectors["nodes"]]
        after = connectors["pageInfo"]["endCursor"]
        assert connectors["pageInfo"]["hasNextPage"] is (after is not None)
        if after is None:
            break
    assert walked == expected
