"""Uptime: the arithmetic, and GET /v1/uptime with an outage reason set through the alerts API."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import httpx
import pytest

from app.core.db import Database
from app.core.time import LOCAL_TZ
from app.uptime.measure import tally
from app.utilisation.timeline import status_intervals
from tests.energy.helpers import report_statuses
from tests.fixtures.factories import create_pile
from tests.fixtures.problems import assert_problem

DAY = datetime(2026, 11, 2, tzinfo=LOCAL_TZ)
GRACE = timedelta(minutes=10)
# unknown until 01:00, a 2 h fault from 03:00, a 5 min link drop at 10:00 (within the grace),
# an hour offline from 12:00 (an outage), an hour charging from 18:00.
CHANGES = [(1, "available", 1), (3, "faulted", 255), (5, "available", 1),
           (10, "offline", 0), (10 + 5 / 60, "available", 1), (12, "offline", 0),
           (13, "available", 1), (18, "charging", 3), (19, "available", 1)]  # fmt: skip


def at(hour: float) -> datetime:
    return DAY + timedelta(hours=hour)


def test_nevi_uptime_uk_classes_and_mttr() -> None:
    pieces = status_intervals("unknown", [(at(h), s) for h, s, _ in CHANGES], at(0), at(24))
    result = tally(pieces, excluded=[(at(2), at(4))], offline_grace=GRACE, start=at(0), end=at(24))
    assert result.unknown == 3600
    assert result.out_of_service == 3 * 3600
    assert result.short_offline == 300
    assert result.in_use == 3600
    assert result.excluded == 3600  # 03:00–04:00 of the fault lies inside the exclusion
    # Over the 23 observed hours: the unknown first hour is neither uptime nor outage.
    assert result.uptime == pytest.approx((23 - (3 - 1)) / 23)
    assert result.reliability == pytest.approx(20 / 23)
    assert (result.faults, result.repairs, result.mttr) == (1, [7200.0], 7200.0)
    # A fault already open at the start is no new fault, and one still open is no repair.
    open_fault = status_intervals("faulted", [], at(0), at(24))
    assert tally(open_fault, excluded=[], offline_grace=GRACE, start=at(0), end=at(24)).faults == 0


@pytest.mark.asyncio(loop_scope="session")
async def test_uptime_with_an_excluded_outage(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.session(write=True) as session:
        (cid,) = await create_pile(session)
    statuses = [(at(h), code) for h, _, code in CHANGES]
    await report_statuses(database, cid, statuses[:2])  # the fault opens an alert
    params = {"area": "310105011", "from": "2026-11-02", "to": "2026-11-02"}
    before = (await client.get("/v1/uptime", params=params)).json()
    (alert,) = (await client.get("/v1/alerts")).json()["items"]
    resolved = await client.post(
        f"/v1/alerts/{alert['id']}/resolve",
        json={"note": "planned works", "outage_reason": "utility_outage"},
    )
    assert resolved.status_code == 200, resolved.text
    await report_statuses(database, cid, statuses[2:])

    response = await client.get("/v1/uptime", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    (connector,) = body["connectors"]
    assert connector["connector_id"] == cid
    assert connector["hours"] == {"available": 18.917, "in_use": 1.0, "out_of_service": 3.0,
                                  "short_offline": 0.083, "unknown": 1.0}  # fmt: skip
    # The alert runs from the fault until staff resolved it (now): both outages are inside.
    assert (connector["outage_hours"], connector["excluded_hours"]) == (3.0, 3.0)
    assert connector["uptime"] == 1.0
    assert connector["uk_reliability"] == round(20 / 23, 5)
    assert connector["meets_uk_target"] is False
    assert (connector["faults"], connector["repairs"], connector["mttr_hours"]) == (1, 1, 2.0)
    (pile,) = body["piles"]
    assert (pile["connectors"], pile["uptime"], pile["community"]) == (1, 1.0, "310105011001")
    assert body["area_uptime"]["faults"] == 1
    assert before["connectors"][0]["excluded_hours"] == 0.0

    table = await client.get("/v1/uptime", params=params, headers={"Accept": "text/csv"})
    levels = [line["level"] for line in csv.DictReader(io.StringIO(table.text))]
    assert levels == ["pile", "connector"]
    assert_problem(
        await client.get("/v1/uptime", params=params | {"from": "2026-11-03"}), 422,
        "range-reversed",
    )  # fmt: skip
