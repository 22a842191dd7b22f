"""Onboarding operators and reading the quarantine through the admin API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.core.db import Database
from app.simulator.credentials import DEMO_CREDENTIALS, onboarding_document
from tests.fixtures.problems import assert_problem
from tests.ingest.helpers import Operator, status

pytestmark = pytest.mark.asyncio


def onboarding(operator_id: str = "MA002TMQX") -> dict[str, Any]:
    return {
        "operator_id": operator_id,
        "name": "国网电动汽车服务有限公司",
        "base_url": "https://operator.example.cn/evcs/v1/",
        "pull_interval_seconds": 120,
        **onboarding_document(),
    }


async def test_onboarding_returns_no_secret_and_a_second_time_conflicts(
    client: httpx.AsyncClient, demo_registry: Database
) -> None:
    body = onboarding()
    created = await client.post("/v1/admin/operators", json=body)
    assert created.status_code == 201
    for direction in ("inbound", "outbound"):
        for secret in body[direction].values():
            assert secret not in created.text
    assert created.json()["pull_interval_seconds"] == 120
    listed = (await client.get("/v1/admin/operators")).json()
    assert [o["operator_id"] for o in listed] == ["MA002TMQX"]
    assert_problem(
        await client.post("/v1/admin/operators", json=body), 409, "operator-already-connected"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"operator_id": "short"},
        {"base_url": "not a url"},
        {"inbound": {"operator_secret": "x", "data_secret": "short", "data_secret_iv": "x" * 16,
                     "sig_secret": "x"}},
    ],
)  # fmt: skip
async def test_bad_onboarding_is_422_and_never_echoes_secrets(
    client: httpx.AsyncClient, demo_registry: Database, change: dict[str, Any]
) -> None:
    response = await client.post("/v1/admin/operators", json={**onboarding(), **change})
    problem = assert_problem(response, 422, "validation-error")
    assert "short" not in str(problem.get("errors"))  # rejected input is not echoed


async def test_quarantine_lists_refused_records_newest_first(
    client: httpx.AsyncClient, demo_registry: Database
) -> None:
    assert (await client.post("/v1/admin/operators", json=onboarding())).status_code == 201
    peer = Operator(client, DEMO_CREDENTIALS.inbound.secrets)
    await peer.login(DEMO_CREDENTIALS.inbound.operator_secret)
    for connector in ("NOPE1", "NOPE2", "NOPE3"):
        await peer.call("notification_stationStatus", status(1, connector))
    first = (await client.get("/v1/admin/quarantine", params={"limit": 2})).json()
    assert [item["reason"] for item in first["items"]] == [
        "unknown connector NOPE3",
        "unknown connector NOPE2",
    ]
    rest = (
        await client.get(
            "/v1/admin/quarantine", params={"limit": 2, "cursor": first["next_cursor"]}
        )
    ).json()
    assert [item["reason"] for item in rest["items"]] == ["unknown connector NOPE1"]
    assert rest["next_cursor"] is None
    assert all(item["operator_id"] == "MA002TMQX" for item in first["items"] + rest["items"])
