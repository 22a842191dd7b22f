"""GET /v1/energy: figures, groups, granularity, CSV, range caps, scoping."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from fastapi import FastAPI

from app.auth.scopes import Tier
from app.core.db import Database
from tests.energy.helpers import XINJING3, charged_piles
from tests.fixtures.auth import mint_token
from tests.fixtures.factories import create_hierarchy
from tests.fixtures.problems import assert_problem

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _params(**extra: str) -> dict[str, str]:
    return {"from": "2026-10-01", "to": "2026-11-30"} | extra


async def test_day_buckets_split_at_midnight_and_by_period(
    client: httpx.AsyncClient, database: Database
) -> None:
    await charged_piles(database)
    response = await client.get("/v1/energy", params=_params(area="310105011"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["from"] == "2026-10-01"
    assert body["periods"] == ["peak", "valley"]
    rows = [(r["group"]["code"], r["bucket"], r["energy_kwh"], r["sessions"], r["by_period"])
            for r in body["rows"]]  # fmt: skip
    assert rows == [
        (XINJING3, "2026-10-31", 6.0, 1, {"peak": 2.0, "valley": 4.0}),
        (XINJING3, "2026-11-01", 2.0, 0, {"peak": 0.0, "valley": 2.0}),
        (XINJING3, "2026-11-02", 5.0, 1, {"peak": 5.0, "valley": 0.0}),
    ]
    (total,) = body["totals"]
    assert (total["energy_kwh"], total["sessions"], total["charging_hours"]) == (13.0, 2, 6.0)


async def test_months_and_wider_groups(client: httpx.AsyncClient, database: Database) -> None:
    await charged_piles(database)
    months = (
        await client.get("/v1/energy", params=_params(area="310105", granularity="month"))
    ).json()
    assert [(r["group"]["name"], r["bucket"], r["energy_kwh"]) for r in months["rows"]] == [
        ("程家桥示例小区", "2026-11", 3.0),
        ("新泾三村", "2026-10", 6.0),
        ("新泾三村", "2026-11", 7.0),
    ]
    streets = (
        await client.get(
            "/v1/energy", params=_params(area="310105", granularity="month", group_by="street")
        )
    ).json()
    assert {t["group"]["code"]: t["energy_kwh"] for t in streets["totals"]} == {
        "310105010": 3.0,
        "310105011": 13.0,
    }
    district = (
        await client.get("/v1/energy", params=_params(area="310000", group_by="district"))
    ).json()
    assert [(t["group"]["code"], t["energy_kwh"]) for t in district["totals"]] == [("310105", 16.0)]
    piles = (await client.get("/v1/energy", params=_params(area=XINJING3, group_by="pile"))).json()
    assert [(t["group"]["kind"], t["group"]["community"], t["energy_kwh"])
            for t in piles["totals"]] == [("pile", XINJING3, 13.0)]  # fmt: skip


@pytest.mark.parametrize("path", ["/v1/energy", "/v1/utilization"])
async def test_an_area_below_the_grouping_level_is_its_own_group(
    client: httpx.AsyncClient, database: Database, path: str
) -> None:
    """A street grouped by district (or a community by street) is one group: itself."""
    await charged_piles(database)
    for area, group_by in (("310105011", "district"), (XINJING3, "street"), (XINJING3, "district")):
        answer = await client.get(path, params=_params(area=area, group_by=group_by))
        assert answer.status_code == 200, answer.text
        assert [t["group"]["code"] for t in answer.json()["totals"]] == [area]


async def test_csv_is_the_same_answer(client: httpx.AsyncClient, database: Database) -> None:
    await charged_piles(database)
    params = _params(area="310105011")
    response = await client.get("/v1/energy", params=params, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    as_json = (await client.get("/v1/energy", params=params)).json()
    assert [
        (r["bucket"], float(r["energy_kwh"]), float(r["energy_kwh_valley"])) for r in table
    ] == [(r["bucket"], r["energy_kwh"], r["by_period"]["valley"]) for r in as_json["rows"]]
    preferred = await client.get(
        "/v1/energy", params=params, headers={"Accept": "application/json;q=0.5, text/csv"}
    )
    assert preferred.headers["content-type"].startswith("text/csv")
    refused = await client.get("/v1/energy", params=params, headers={"Accept": "image/png"})
    assert_problem(refused, 406, "not-acceptable")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"granularity": "day", "from": "2025-01-01", "to": "2026-02-05"}, "range-too-large"),
        ({"granularity": "month", "from": "2023-01-01", "to": "2026-01-31"}, "range-too-large"),
        ({"from": "2026-11-02", "to": "2026-11-01"}, "range-reversed"),
        ({"granularity": "week"}, "validation-error"),
        ({"group_by": "station"}, "validation-error"),
        ({"from": "yesterday"}, "validation-error"),
        ({"area": "31x"}, "validation-error"),
    ],
)
async def test_bad_queries_are_problems(
    client: httpx.AsyncClient, database: Database, params: dict[str, str], code: str
) -> None:
    assert_problem(await client.get("/v1/energy", params=params), 422, code)


async def test_caps_allow_their_limit(client: httpx.AsyncClient, database: Database) -> None:
    async with database.session(write=True) as session:
        await create_hierarchy(session)
    days = {"granularity": "day", "from": "2025-01-01", "to": "2026-02-04"}  # 400 days
    months = {"granularity": "month", "from": "2023-01-01", "to": "2025-12-31"}  # 36 months
    assert (await client.get("/v1/energy", params=days)).status_code == 200
    assert (await client.get("/v1/energy", params=months)).status_code == 200


async def test_a_street_sees_only_its_own_energy(
    app: FastAPI, anonymous: httpx.AsyncClient, database: Database
) -> None:
    await charged_piles(database)
    token = await mint_token(app, tier=Tier.STREET, area="310105010")
    headers = {"Authorization": f"Bearer {token}"}
    own = await anonymous.get("/v1/energy", params=_params(), headers=headers)
    assert [t["energy_kwh"] for t in own.json()["totals"]] == [3.0]
    other = await anonymous.get("/v1/energy", params=_params(area="310105011"), headers=headers)
    assert_problem(other, 404, "area-not-found")
    no_scope = await mint_token(app, tier=Tier.STREET, area="310105010", scopes={"status:read"})
    forbidden = await anonymous.get("/v1/energy", headers={"Authorization": f"Bearer {no_scope}"})
    assert_problem(forbidden, 403, "insufficient-scope")
