"""GET /v1/guidance/off-peak and /v1/guidance/siting on a small known day."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from app.auth.scopes import Tier
from app.core.db import Database
from app.core.time import LOCAL_TZ
from tests.energy.helpers import charge, report_statuses
from tests.fixtures.auth import mint_token
from tests.fixtures.factories import create_pile
from tests.fixtures.problems import assert_problem

pytestmark = pytest.mark.asyncio(loop_scope="session")

DAY = datetime(2026, 11, 2, tzinfo=LOCAL_TZ)
BUSY, QUIET = "310105011001", "310105010001"
PARAMS = {"area": "310105", "from": "2026-11-02", "to": "2026-11-02"}


def at(hour: float) -> datetime:
    return DAY + timedelta(hours=hour)


async def _day(database: Database) -> None:
    async with database.session(write=True) as session:
        busy = [(await create_pile(session, community=BUSY))[0] for _ in range(2)]
        quiet = [(await create_pile(session, community=QUIET))[0] for _ in range(2)]
    for connector in busy + quiet:  # observed all day: every hour can be judged
        await report_statuses(database, connector, [(at(0), 1)])
    # Both of the busy community's piles charge through the evening peak, one on into the
    # valley; the quiet community charges once in the morning.
    await charge(database, busy[0], at(18), 4, 20_000)
    await charge(database, busy[1], at(18), 4, 20_000)
    await charge(database, busy[0], at(22), 1, 5_000)
    await charge(database, quiet[0], at(10), 1, 3_000)


async def test_off_peak_figures_and_recommendation(
    client: httpx.AsyncClient, database: Database
) -> None:
    await _day(database)
    response = await client.get("/v1/guidance/off-peak", params=PARAMS)
    assert response.status_code == 200, response.text
    body = response.json()
    quiet, busy = body["communities"]  # in path order: 310105010… before 310105011…
    assert busy["community"]["code"] == BUSY
    assert (busy["energy_kwh"], busy["peak_kwh"], busy["valley_kwh"]) == (45.0, 40.0, 5.0)
    assert busy["peak_load_share"] == round(40 / 45, 4)
    assert busy["occupancy"] == round(9 / 48, 4)
    assert busy["valley_headroom_hours"] == 15.0
    assert busy["valley_occupancy"] == round(1 / 16, 4)
    assert busy["congested_hours"] == [18, 19, 20, 21]
    assert busy["room_windows"] == [{"from_hour": 23, "to_hour": 18}]
    assert quiet["congested_hours"] == []
    assert quiet["room_windows"] == [{"from_hour": 11, "to_hour": 10}]
    assert quiet["idle_share"] == round(1 - round(1 / 48, 4), 4)

    advice = body["recommendation"]
    assert advice["most_idle_community"]["code"] == QUIET
    assert [c["community"]["code"] for c in advice["congested"]] == [BUSY]
    assert [r["community"]["code"] for r in advice["room"]] == [QUIET, BUSY]
    (shift,) = advice["shifts"]
    assert (shift["from_community"]["code"], shift["to_community"]["code"]) == (BUSY, QUIET)
    assert shift["hours"] == [18, 19, 20, 21]

    table = await client.get("/v1/guidance/off-peak", params=PARAMS, headers={"Accept": "text/csv"})
    lines = list(csv.DictReader(io.StringIO(table.text)))
    assert [(line["community"], line["congested_hours"]) for line in lines] == [
        (QUIET, ""), (BUSY, "18 19 20 21")
    ]  # fmt: skip


async def test_siting_ranks_by_pressure(client: httpx.AsyncClient, database: Database) -> None:
    await _day(database)
    response = await client.get("/v1/guidance/siting", params=PARAMS)
    assert response.status_code == 200, response.text
    first, second = response.json()["communities"]
    assert (first["rank"], first["community"]["code"], first["pressure"]) == (1, BUSY, 1.0)
    assert first["all_busy_share"] == round(4 / 24, 4)
    assert first["energy_per_pile_kwh"] == 22.5
    assert second["community"]["code"] == QUIET
    assert second["all_busy_share"] == 0.0
    expected = round((round(1 / 48, 4) / round(9 / 48, 4) + 0 + 1.5 / 22.5) / 3, 4)
    assert second["pressure"] == expected
    table = await client.get("/v1/guidance/siting", params=PARAMS, headers={"Accept": "text/csv"})
    assert [line["rank"] for line in csv.DictReader(io.StringIO(table.text))] == ["1", "2"]


async def test_guidance_is_scoped_and_validated(
    app: FastAPI, anonymous: httpx.AsyncClient, database: Database
) -> None:
    await _day(database)
    token = await mint_token(app, tier=Tier.STREET, area="310105010")
    headers = {"Authorization": f"Bearer {token}"}
    own = await anonymous.get("/v1/guidance/siting", params=PARAMS | {"area": "310105010"},
                              headers=headers)  # fmt: skip
    assert [c["community"]["code"] for c in own.json()["communities"]] == [QUIET]
    for path in ("/v1/guidance/off-peak", "/v1/guidance/siting"):
        assert_problem(await anonymous.get(path, params=PARAMS, headers=headers), 404,
                       "area-not-found")  # fmt: skip
        wide = PARAMS | {"area": "310105010", "from": "2024-01-01"}
        assert_problem(await anonymous.get(path, params=wide, headers=headers), 422,
                       "range-too-large")  # fmt: skip
