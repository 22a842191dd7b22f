"""Utilisation: the timeline rules, and GET /v1/utilization on real status history."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import httpx
import pytest

from app.core.db import Database
from app.core.time import LOCAL_TZ
from app.utilisation.timeline import (
    connector_time,
    seconds,
    simultaneous,
    status_intervals,
    subtract,
    union,
)
from tests.energy.helpers import charge, report_statuses
from tests.fixtures.factories import create_pile

DAY = datetime(2026, 11, 2, tzinfo=LOCAL_TZ)  # a Monday


def at(hour: float) -> datetime:
    return DAY + timedelta(hours=hour)


def test_a_connectors_time_follows_status_then_sessions() -> None:
    pieces = status_intervals(
        "unknown",
        [(at(8), "occupied"), (at(9), "charging"), (at(11), "available"), (at(14), "faulted"),
         (at(16), "available")],
        at(0), at(24),
    )  # fmt: skip
    assert pieces[0] == (at(0), at(8), "unknown")
    time = connector_time(
        pieces, [(at(9), at(11)), (at(20), at(21)), (at(23), at(26))], at(0), at(24)
    )
    assert time.busy == [(at(8), at(11)), (at(20), at(21)), (at(23), at(24))]
    assert seconds(time.charging) == 4 * 3600
    assert time.down == [(at(14), at(16))]
    # A session while the link was down is busy, not down.
    offline = status_intervals("offline", [], at(0), at(2))
    assert connector_time(offline, [(at(1), at(2))], at(0), at(2)).down == [(at(0), at(1))]


def test_interval_helpers() -> None:
    assert union([(at(1), at(3)), (at(2), at(4)), (at(5), at(6))]) == [
        (at(1), at(4)),
        (at(5), at(6)),
    ]
    assert subtract([(at(0), at(10))], [(at(2), at(3)), (at(5), at(12))]) == [
        (at(0), at(2)), (at(3), at(5))
    ]  # fmt: skip
    both = simultaneous([[(at(0), at(4))], [(at(2), at(6))]], 2)
    assert both == [(at(2), at(4))]
    assert simultaneous([[(at(0), at(2))], [(at(2), at(4))]], 2) == []
    assert simultaneous([[(at(0), at(2))]], 2) == []


@pytest.mark.asyncio(loop_scope="session")
async def test_utilisation_per_day_and_profile(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.session(write=True) as session:
        (cid,) = await create_pile(session)
        (idle,) = await create_pile(session)  # a neighbour: 24 available hours, nothing busy
    await report_statuses(
        database, cid,
        [(at(0), 1), (at(8), 2), (at(9), 3), (at(11), 1), (at(14), 255), (at(16), 1)],
    )  # fmt: skip
    await report_statuses(database, idle, [(at(0), 1)])
    await charge(database, cid, at(9), 2, 10_000)
    await charge(database, cid, at(20), 1, 5_000)  # no status reports for this one
    params = {"area": "310105011", "from": "2026-11-02", "to": "2026-11-02"}
    response = await client.get("/v1/utilization", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    (row,) = body["rows"]
    assert (row["bucket"], row["connectors"]) == ("2026-11-02", 2)
    assert (row["available_hours"], row["busy_hours"], row["charging_hours"]) == (46.0, 4.0, 3.0)
    assert row["occupancy"] == round(4 / 46, 4)
    cells = {(c["weekday"], c["hour"]): c for c in body["profile"]}
    assert len(cells) == 7 * 24
    assert cells[(1, 9)]["occupancy"] == 0.5  # one of two connectors busy
    assert cells[(1, 14)]["available_hours"] == 1.0  # the other was faulted
    assert cells[(2, 9)]["occupancy"] is None  # no Tuesday in the range
    assert "available" in body["definition"]

    pile = await client.get("/v1/utilization", params=params | {"group_by": "pile"})
    assert sorted(t["busy_hours"] for t in pile.json()["totals"]) == [0.0, 4.0]
    table = await client.get("/v1/utilization", params=params, headers={"Accept": "text/csv"})
    (line,) = list(csv.DictReader(io.StringIO(table.text)))
    assert float(line["busy_hours"]) == 4.0
