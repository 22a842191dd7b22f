"""Data truth of the analytics (issue 15, items 3 and 4): figures over time count observed time
only, up to now; the future is refused, unknown time is its own share, and a figure with too
little observed, or none, is null with a reason: never a pass, never 0 and never advice."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

import httpx
import pytest

from app.core.db import Database
from app.core.time import LOCAL_TZ
from tests.energy.helpers import charge, report_statuses
from tests.fixtures.factories import create_pile
from tests.fixtures.problems import assert_problem

pytestmark = pytest.mark.asyncio(loop_scope="session")

STREET = "310105011"
XINJING3, CHENGJIAQIAO = "310105011001", "310105010001"
RANGES = ("/v1/uptime", "/v1/utilization", "/v1/energy", "/v1/guidance/off-peak",
          "/v1/guidance/siting")  # fmt: skip
AVAILABLE, FAULTED = 1, 255


def _local(day: str, hour: float = 0) -> datetime:
    midnight = datetime.combine(datetime.fromisoformat(day).date(), time.min, tzinfo=LOCAL_TZ)
    return midnight + timedelta(hours=hour)


def _today() -> datetime:
    return datetime.now(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)


async def test_a_range_wholly_in_the_future_is_refused_everywhere(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.session(write=True) as session:
        (cid,) = await create_pile(session)
    await report_statuses(database, cid, [(_today() - timedelta(days=40), AVAILABLE)])
    ahead = _today() + timedelta(days=3)
    future = {"area": STREET, "from": f"{ahead:%Y-%m-%d}",
              "to": f"{ahead + timedelta(days=10):%Y-%m-%d}"}  # fmt: skip
    for path in RANGES:
        assert_problem(await client.get(path, params=future), 422, "range-in-future")


@pytest.mark.parametrize(
    "edge",
    [
        {"to": "9999-12-31"},
        {"to": "9999-12-30"},
        {"from": "2026-12-01", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-02"},
        {"from": "1999-12-31", "to": "2000-01-05"},
    ],
)
async def test_dates_outside_the_window_are_refused_at_once_everywhere(
    client: httpx.AsyncClient, database: Database, edge: dict[str, str]
) -> None:
    """Ranges live in a documented window (2000-01-01 to a year after today), so no date near
    the calendar's edge reaches arithmetic that overflows."""
    for path in RANGES:
        problem = assert_problem(
            await client.get(path, params={"area": STREET, **edge}), 422, "range-outside-window"
        )
        assert "2000-01-01" in problem["detail"], problem


async def test_uptime_counts_observed_time_up_to_now_and_no_pass_without_it(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.session(write=True) as session:
        (seen,) = await create_pile(session)
        (late,) = await create_pile(session)  # reports only on the range's last two days
    await report_statuses(database, seen, [(_local("2026-10-01"), AVAILABLE),
                                           (_local("2026-10-20", 8), FAULTED),
                                           (_local("2026-10-20", 10), AVAILABLE)])  # fmt: skip
    await report_statuses(database, late, [(_local("2026-10-29"), AVAILABLE)])
    month = {"area": STREET, "from": "2026-10-01", "to": "2026-10-30"}
    body = (await client.get("/v1/uptime", params=month)).json()
    by_id = {c["connector_id"]: c for c in body["connectors"]}
    # 28 of 30 days unknown: no figure, no verdict.
    assert (by_id[late]["uptime"], by_id[late]["uk_reliability"]) == (None, None)
    assert by_id[late]["meets_uk_target"] is None
    assert by_id[late]["reason"] == "insufficient-coverage"
    assert (by_id[late]["hours"]["unknown"], by_id[late]["observed_hours"]) == (672.0, 48.0)
    assert by_id[late]["coverage"] == round(48 / 720, 4)
    # Observed throughout: µ over observed time, the 2 h fault counted and repaired.
    assert by_id[seen]["uptime"] == round(718 / 720, 5)
    assert (by_id[seen]["reason"], by_id[seen]["mttr_hours"]) == (None, 2.0)
    # The area: 768 of 1,440 connector-hours observed, µ over those 768.
    area = body["area_uptime"]
    assert (area["range_hours"], area["observed_hours"], area["unknown_hours"]) == (
        1440.0, 768.0, 672.0
    )  # fmt: skip
    assert area["uptime"] == round(766 / 768, 5)
    piles = {p["equipment_id"]: p for p in body["piles"]}
    assert piles[by_id[late]["equipment_id"]]["meets_uk_target"] is None
    # A repair-less connector has no mean time to repair, and says why.
    assert (by_id[late]["mttr_hours"], by_id[late]["mttr_reason"]) == (None, "no-repairs")
    table = await client.get("/v1/uptime", params=month, headers={"Accept": "text/csv"})
    rows = {r["connector_id"]: r for r in csv.DictReader(io.StringIO(table.text))}
    assert (rows[late]["uptime"], rows[late]["reason"]) == ("", "insufficient-coverage")

    # Before any report at all: nothing observed, nothing stated.
    september = month | {"from": "2026-09-01", "to": "2026-09-30"}
    before = (await client.get("/v1/uptime", params=september)).json()
    assert before["area_uptime"]["uptime"] is None
    assert before["area_uptime"]["meets_uk_target"] is None
    assert before["area_uptime"]["reason"] == "no-observations"
    assert before["area_uptime"]["mttr_reason"] == "no-observations"


async def test_todays_uptime_stops_at_now(client: httpx.AsyncClient, database: Database) -> None:
    async with database.session(write=True) as session:
        (cid,) = await create_pile(session)
    await report_statuses(database, cid, [(_today() - timedelta(days=2), AVAILABLE)])
    asked = datetime.now(LOCAL_TZ)
    today = {"area": STREET, "from": f"{asked:%Y-%m-%d}", "to": f"{asked:%Y-%m-%d}"}
    body = (await client.get("/v1/uptime", params=today)).json()
    answered = datetime.now(LOCAL_TZ)
    (connector,) = body["connectors"]
    counted = sum(connector["hours"].values())
    midnight = asked.replace(hour=0, minute=0, second=0, microsecond=0)
    # Rounded to 3 decimals (3.6 s) per class; 24 h were counted before.
    assert (asked - midnight).total_seconds() / 3600 - 0.01 <= counted
    assert counted <= (answered - midnight).total_seconds() / 3600 + 0.01
    assert connector["observed_hours"] + connector["unknown_hours"] == pytest.approx(
        connector["range_hours"], abs=0.002
    )
    assert asked <= datetime.fromisoformat(body["until"]) <= answered


async def test_no_observations_is_no_data_and_no_advice(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.session(write=True) as session:
        (busy,) = await create_pile(session, community=XINJING3)
        (quiet,) = await create_pile(session, community=CHENGJIAQIAO)
    await report_statuses(database, busy, [(_local("2026-11-01"), AVAILABLE)])
    await charge(database, busy, _local("2026-11-02", 18), 4, 20_000)
    old = {"area": "310105", "from": "2000-01-01", "to": "2000-01-02"}  # before any report
    guidance = (await client.get("/v1/guidance/off-peak", params=old)).json()
    advice = guidance["recommendation"]
    assert advice["most_idle_community"] is None
    assert advice["room"] == advice["congested"] == advice["shifts"] == []
    assert [(n["community"]["code"], n["reason"]) for n in advice["not_judged"]] == [
        (CHENGJIAQIAO, "no-observations"), (XINJING3, "no-observations")
    ]  # fmt: skip
    for community in guidance["communities"]:
        assert (community["occupancy"], community["idle_share"]) == (None, None)
        assert community["hourly_occupancy"] == [None] * 24
        assert community["room_windows"] == []

    # A community that never reported is not judged, even as the most idle one; the one
    # that did is judged on what was seen.
    day = {"area": "310105", "from": "2026-11-02", "to": "2026-11-02"}
    advice = (await client.get("/v1/guidance/off-peak", params=day)).json()["recommendation"]
    assert advice["most_idle_community"]["code"] == XINJING3
    assert [n["community"]["code"] for n in advice["not_judged"]] == [CHENGJIAQIAO]
    siting = (await client.get("/v1/guidance/siting", params=day)).json()["communities"]
    assert [(c["community"]["code"], c["rank"], c["reason"]) for c in siting] == [
        (XINJING3, 1, None), (CHENGJIAQIAO, None, "no-observations")
    ]  # fmt: skip
    assert siting[1]["pressure"] is None

    months = {"area": STREET, "from": "2026-08-01", "to": "2026-11-30", "granularity": "month"}
    use = (await client.get("/v1/utilization", params=months)).json()
    by_month = {row["bucket"]: row for row in use["rows"]}
    for month in ("2026-08", "2026-09", "2026-10"):  # before the first report: no data, not 0
        assert by_month[month]["occupancy"] is None, by_month[month]
        assert by_month[month]["reason"] == "no-observations"
        assert by_month[month]["available_hours"] == 0.0
    assert by_month["2026-11"]["occupancy"] == round(4 / 720, 4)
    table = await client.get("/v1/utilization", params=months, headers={"Accept": "text/csv"})
    lines = {line["bucket"]: line for line in csv.DictReader(io.StringIO(table.text))}
    assert (lines["2026-09"]["occupancy"], lines["2026-09"]["reason"]) == ("", "no-observations")


async def test_energy_says_how_much_of_its_range_was_observed(
    client: httpx.AsyncClient, database: Database
) -> None:
    async with database.session(write=True) as session:
        (live,) = await create_pile(session, community=XINJING3)
        (silent,) = await create_pile(session, community=CHENGJIAQIAO)
    await report_statuses(database, live, [(_local("2026-11-16"), AVAILABLE)])
    del silent  # registered, never heard from: its 0 kWh is no data
    november = {"area": "310105", "from": "2026-11-01", "to": "2026-11-30"}
    body = (await client.get("/v1/energy", params=november)).json()
    totals = {t["group"]["code"]: t for t in body["totals"]}
    assert totals[XINJING3]["energy_kwh"] == totals[CHENGJIAQIAO]["energy_kwh"] == 0.0
    assert (totals[XINJING3]["observed_hours"], totals[XINJING3]["coverage"]) == (360.0, 0.5)
    assert (totals[CHENGJIAQIAO]["observed_hours"], totals[CHENGJIAQIAO]["coverage"]) == (0.0, 0.0)
    assert totals[CHENGJIAQIAO]["unknown_hours"] == 720.0
    assert datetime.fromisoformat(body["until"]) == _local("2026-12-01")
