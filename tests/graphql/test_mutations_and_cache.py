"""Mutations answer typed results a client switches on, write what REST writes, and are
audited; repeated queries come from the cache until the data version moves."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update
from sqlmodel import col, select

from app.auth.scopes import Tier
from app.core.db import Database, execute
from app.core.metrics import GRAPHQL_CACHE
from app.models import Alert, AuditRecord
from tests.fixtures.auth import mint_token
from tests.graphql.helpers import gql, open_alert

pytestmark = pytest.mark.asyncio(loop_scope="session")

ACK = """mutation($id: LogId!, $note: String) { acknowledgeAlert(id: $id, note: $note) {
  __typename ... on AlertChanged { alert { id state acknowledgedBy acknowledgeNote } }
  ... on NotFoundError { message } ... on AlreadyResolvedError { message }
  ... on InvalidInputError { message field } } }"""
RESOLVE = """mutation($id: LogId!) { resolveAlert(id: $id, note: "fixed", outageReason: VANDALISM) {
  __typename ... on AlertChanged { alert { state outageReason resolveNote } }
  ... on AlreadyResolvedError { message } } }"""


async def test_alert_lifecycle_with_typed_results(
    client: httpx.AsyncClient, demo: Database
) -> None:
    alert_id = await open_alert(demo)
    too_long = await gql(client, ACK, {"id": alert_id, "note": "x" * 501})
    assert too_long["data"]["acknowledgeAlert"]["__typename"] == "InvalidInputError"
    assert too_long["data"]["acknowledgeAlert"]["field"] == "note"
    missing = await gql(client, ACK, {"id": 999_999})
    assert missing["data"]["acknowledgeAlert"]["__typename"] == "NotFoundError"

    acknowledged = (await gql(client, ACK, {"id": alert_id, "note": "on my way"}))["data"]
    alert = acknowledged["acknowledgeAlert"]["alert"]
    assert alert == {"id": alert_id, "state": "ACKNOWLEDGED", "acknowledgedBy": "phc_test_city",
                     "acknowledgeNote": "on my way"}  # fmt: skip
    rest = (await client.get("/v1/alerts", params={"state": "acknowledged"})).json()
    assert alert_id in [item["id"] for item in rest["items"]]  # the same truth as REST

    resolved = (await gql(client, RESOLVE, {"id": alert_id}))["data"]["resolveAlert"]
    assert resolved["alert"] == {
        "state": "RESOLVED",
        "outageReason": "VANDALISM",
        "resolveNote": "fixed",
    }
    again = (await gql(client, RESOLVE, {"id": alert_id}))["data"]["resolveAlert"]
    assert again["__typename"] == "AlreadyResolvedError"

    async with demo.session() as session:
        routes = (await session.exec(select(AuditRecord.route, AuditRecord.method))).all()
    # Every mutation is in the audit log; queries are not writes.
    assert routes.count(("/graphql", "POST")) == 5


async def test_an_alert_of_another_area_is_not_found(app: FastAPI, demo: Database) -> None:
    alert_id = await open_alert(demo)
    token = await mint_token(app, tier=Tier.STREET, area="310105010", client_id="phc_other")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://pilehub.test",
        headers={"Authorization": f"Bearer {token}"},
    ) as other:  # fmt: skip
        answer = await gql(other, ACK, {"id": alert_id})
    assert answer["data"]["acknowledgeAlert"]["__typename"] == "NotFoundError"
    async with demo.session() as session:
        alert = await session.get(Alert, alert_id)
    assert alert is not None
    assert alert.state == "open"


async def test_maintenance_flag_turns_the_pile_red(
    client: httpx.AsyncClient, demo: Database
) -> None:
    board = '{ board(area: "310105011") { dataVersion area { counts { red } } } }'
    before = (await gql(client, board))["data"]["board"]
    hits = GRAPHQL_CACHE.labels("hit")._value.get()
    again = (await gql(client, board))["data"]["board"]
    assert again == before
    assert GRAPHQL_CACHE.labels("hit")._value.get() == hits + 1  # served from the cache
    pile = await gql(
        client, '{ piles(area: "310105011", colour: GREEN, first: 1) { nodes { id } } }'
    )
    pile_id = pile["data"]["piles"]["nodes"][0]["id"]
    flagged = await gql(
        client,
        'mutation($id: Int!) { setPileMaintenance(pileId: $id, flagged: true, note: "cable") '
        "{ __typename ... on MaintenanceSet { pileId flagged } } }",
        {"id": pile_id},
    )
    expected = {"__typename": "MaintenanceSet", "pileId": pile_id, "flagged": True}
    assert flagged["data"]["setPileMaintenance"] == expected
    misses = GRAPHQL_CACHE.labels("miss")._value.get()
    after = (await gql(client, board))["data"]["board"]
    assert GRAPHQL_CACHE.labels("miss")._value.get() == misses + 1  # the version moved
    assert after["dataVersion"] > before["dataVersion"]  # the cache saw the version move
    assert after["area"]["counts"]["red"] == before["area"]["counts"]["red"] + 1


async def test_the_cache_is_keyed_by_the_callers_area(app: FastAPI, demo: Database) -> None:
    query = "{ board { area { code counts { total } } } }"
    answers = {}
    for area in ("310105011", "310105", "310105010"):
        token = await mint_token(app, tier=Tier.STREET if len(area) > 6 else Tier.DISTRICT,
                                 area=area, client_id=f"phc_{area}")  # fmt: skip
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="https://pilehub.test",
            headers={"Authorization": f"Bearer {token}"},
        ) as caller:  # fmt: skip
            for _ in range(2):  # the second one is a cache hit: still the caller's own board
                answers[area] = (await gql(caller, query))["data"]["board"]["area"]["code"]
                assert answers[area] == area
    assert len(set(answers.values())) == 3


async def test_a_change_elsewhere_keeps_the_cached_answer_one_here_does_not(
    app: FastAPI, client: httpx.AsyncClient, demo: Database
) -> None:
    token = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_street")
    street = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://pilehub.test",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    query = "{ board { area { counts { red } } } }"
    flag = ("mutation($id: Int!) { setPileMaintenance(pileId: $id, flagged: true) "
            "{ __typename } }")  # fmt: skip
    async with street:
        before = await gql(street, query)
        elsewhere = await gql(client, '{ piles(area: "310105010", first: 1) { nodes { id } } }')
        (other,) = elsewhere["data"]["piles"]["nodes"]
        await gql(client, flag, {"id": other["id"]})  # another street's pile
        hits = GRAPHQL_CACHE.labels("hit")._value.get()
        assert await gql(street, query) == before
        assert GRAPHQL_CACHE.labels("hit")._value.get() == hits + 1  # still valid
        here = await gql(
            client, '{ piles(area: "310105011", colour: GREEN, first: 1) { nodes { id } } }'
        )
        await gql(client, flag, {"id": here["data"]["piles"]["nodes"][0]["id"]})
        after = await gql(street, query)
        assert after["data"]["board"]["area"]["counts"]["red"] == (
            before["data"]["board"]["area"]["counts"]["red"] + 1
        )


async def test_alert_ids_beyond_32_bits_are_served_and_accepted(
    client: httpx.AsyncClient, demo: Database
) -> None:
    # Log ids (alerts, status history) grow past GraphQL's 32-bit Int in a city's lifetime.
    alert_id, big = await open_alert(demo), 2**31 + 7
    async with demo.session(write=True) as session:
        await execute(session, update(Alert).where(col(Alert.id) == alert_id).values(id=big))
    listed = await gql(client, "{ alerts(states: [OPEN]) { nodes { id } } }")
    assert big in [node["id"] for node in listed["data"]["alerts"]["nodes"]]
    acknowledged = await gql(client, ACK, {"id": big, "note": "large"})
    assert acknowledged["data"]["acknowledgeAlert"]["alert"]["id"] == big
    too_big = await gql(client, ACK, {"id": 2**63, "note": "x"})
    assert "LogId is an integer" in too_big["errors"][0]["message"]
