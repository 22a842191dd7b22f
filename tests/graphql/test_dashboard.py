"""The Beixinjing big screen in one query, the same truth as REST, paged and typed."""

from __future__ import annotations

import httpx
import pytest

from app.core.db import Database
from tests.graphql.helpers import error_codes, gql

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCREEN = """
query Screen($street: AreaCode!) {
  area(code: $street) { code name level counts { green yellow red total }
    children { nodes { code name counts { total green yellow red } } } }
  board(area: $street) { dataVersion area { code counts { green yellow red total } }
    children { nodes { code counts { total } } }
    piles(first: 1000) { nodes { id equipmentId colour colourSince community { code name } }
      pageInfo { hasNextPage endCursor } } }
  alerts(area: $street, states: [OPEN, ACKNOWLEDGED]) {
    nodes { id equipmentId severity state community openedAt } }
  energy(area: $street, granularity: MONTH, groupBy: COMMUNITY) {
    totals { nodes { group { code name } energyKwh sessions byPeriod } } }
}
"""


async def test_one_query_draws_the_big_screen_with_the_numbers_rest_gives(
    client: httpx.AsyncClient, demo: Database
) -> None:
    answer = await gql(client, SCREEN, {"street": "310105011"})
    assert "errors" not in answer, answer
    data = answer["data"]
    rest_board = (await client.get("/v1/board", params={"area": "310105011"})).json()
    board = data["board"]
    assert board["area"]["counts"] == {
        key: rest_board["area"]["counts"][key] for key in ("green", "yellow", "red", "total")
    }
    assert board["area"]["counts"]["total"] == 17
    assert data["area"]["counts"] == board["area"]["counts"]
    assert [child["code"] for child in data["area"]["children"]["nodes"]] == [
        child["code"] for child in rest_board["children"]
    ]
    assert sum(child["counts"]["total"] for child in data["area"]["children"]["nodes"]) == 17
    nodes = board["piles"]["nodes"]
    assert [pile["id"] for pile in nodes] == [pile["id"] for pile in rest_board["piles"]]
    assert [pile["colour"].lower() for pile in nodes] == [p["colour"] for p in rest_board["piles"]]
    assert board["piles"]["pageInfo"] == {"hasNextPage": False, "endCursor": None}
    rest_alerts = (
        await client.get(
            "/v1/alerts", params={"area": "310105011", "state": ["open", "acknowledged"]}
        )
    ).json()
    assert [alert["id"] for alert in data["alerts"]["nodes"]] == [
        alert["id"] for alert in rest_alerts["items"]
    ]
    assert data["alerts"]["nodes"], "the demo has open alerts"
    rest_energy = (
        await client.get("/v1/energy", params={"area": "310105011", "granularity": "month"})
    ).json()
    assert [
        (t["group"]["code"], t["energyKwh"], t["byPeriod"])
        for t in data["energy"]["totals"]["nodes"]
    ] == [(t["group"]["code"], t["energy_kwh"], t["by_period"]) for t in rest_energy["totals"]]
    assert len(data["energy"]["totals"]["nodes"]) == len(
        data["area"]["children"]["nodes"]
    )  # every community


async def test_pages_cover_every_pile_once(client: httpx.AsyncClient, demo: Database) -> None:
    query = """query($after: Cursor) { piles(area: "310105011", first: 5, after: $after) {
        nodes { id connectors { nodes { connectorId status } } }
        pageInfo { hasNextPage endCursor } } }"""
    seen: list[int] = []
    after = None
    for _ in range(10):
        page = (await gql(client, query, {"after": after}))["data"]["piles"]
        seen += [pile["id"] for pile in page["nodes"]]
        assert all(pile["connectors"]["nodes"] for pile in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 17
    assert seen == sorted(seen)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("first: 0", "PageSize"),
        ("first: 1001", "PageSize"),
        ('after: "not-a-cursor"', "cursor"),
        ('area: "31-0105"', "AreaCode"),
    ],
)
async def test_bad_arguments_fail_validation_not_a_resolver(
    client: httpx.AsyncClient, demo: Database, arguments: str, message: str
) -> None:
    answer = await gql(client, f"{{ piles({arguments}) {{ nodes {{ id }} }} }}")
    assert answer.get("data") is None
    (error,) = answer["errors"]
    assert message.lower() in error["message"].lower()
    assert "path" not in error  # refused while validating: no resolver ran


async def test_an_area_outside_the_callers_is_not_found_with_the_rest_code(
    client: httpx.AsyncClient, demo: Database
) -> None:
    answer = await gql(client, '{ board(area: "310104999") { dataVersion } }')
    assert error_codes(answer) == ["area-not-found"] or error_codes(answer) == ["not-found"]
    assert answer["errors"][0]["extensions"]["status"] == 404


async def test_pile_by_id_with_connector_history(client: httpx.AsyncClient, demo: Database) -> None:
    first = await gql(client, '{ piles(area: "310105011", first: 1) { nodes { id } } }')
    pile_id = first["data"]["piles"]["nodes"][0]["id"]
    answer = await gql(
        client,
        "query($id: Int!) { pile(id: $id) { id equipmentId connectors { nodes { id status "
        "history(first: 2) { nodes { status observedAt } pageInfo { hasNextPage } } } } } }",
        {"id": pile_id},
    )
    assert "errors" not in answer, answer
    pile = answer["data"]["pile"]
    rest = (await client.get(f"/v1/piles/{pile_id}")).json()
    assert pile["equipmentId"] == rest["equipment_id"]
    assert [c["status"].lower() for c in pile["connectors"]["nodes"]] == [
        c["status"] for c in rest["connectors"]
    ]
    assert (await gql(client, "{ pile(id: 999999) { id } }"))["data"] == {"pile": None}
