"""The registry read side on the Beixinjing demo: pile list and detail, connector history."""

from __future__ import annotations

import base64
import math
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
import pytest_asyncio
import structlog
from fastapi import FastAPI
from sqlmodel import col, select

from app.core.config import Settings
from app.core.db import Database
from app.core.pagination import MAX_LIMIT
from app.core.time import utc_now
from app.demo.seed import SYNTHETIC_SOURCE
from app.geo import gcj02_to_wgs84
from app.models import Jurisdiction, Pile
from app.models.states import ConnectorState
from app.status import service as status_service
from app.status.codes import state_for_tcec_code
from app.status.schemas import Outcome, StatusReport
from tests.fixtures.auth import mint_token
from tests.fixtures.problems import assert_problem

pytestmark = pytest.mark.asyncio

OPERATOR = "MA002TMQX"
BEIXINJING = "310105011"
XINJING_3 = "310105011001"
XINJING_5 = "310105011002"
TIANPU = "310105011003"
CHENGJIAQIAO_A = "310105010001"
BEIXINJING_CENTRE = (121.372, 31.219)  # WGS84, from beixinjing.yaml


# -- helpers -----------------------------------------------------------------------------------


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).rstrip(b"=").decode()


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lng, lat) points."""
    lng1, lat1, lng2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def _walk(
    client: httpx.AsyncClient, path: str, params: dict[str, str | int]
) -> list[dict[str, Any]]:
    """Every page of a listing, following `next_cursor` until null; returns the pages."""
    pages: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = dict(params) if cursor is None else {**params, "cursor": cursor}
        response = await client.get(path, params=query)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "pagination does not terminate"


async def _all_piles(client: httpx.AsyncClient, **params: str | int) -> list[dict[str, Any]]:
    pages = await _walk(client, "/v1/piles", {"limit": MAX_LIMIT, **params})
    return [item for page in pages for item in page["items"]]


async def _db_pile_ids(
    database: Database,
    *,
    community: str | None = None,
    street: str | None = None,
    colour: str | None = None,
) -> list[int]:
    async with database.session() as session:
        statement = select(Pile.id, Jurisdiction.code, Jurisdiction.path).join(
            Jurisdiction, col(Jurisdiction.id) == Pile.jurisdiction_id
        )
        if colour is not None:
            statement = statement.where(Pile.colour == colour)
        rows = (await session.exec(statement)).all()
    return sorted(
        pile_id
        for pile_id, code, path in rows
        if pile_id is not None
        and (community is None or code == community)
        and (street is None or f"/{street}/" in f"/{path}")
    )


async def _record(
    database: Database, settings: Settings, reports: list[StatusReport]
) -> list[Outcome]:
    async with database.session(write=True) as session:
        results = await status_service.record_status_reports(
            session, reports, rules=settings.colour
        )
    return [result.outcome for result in results]


@pytest_asyncio.fixture
async def lenient_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Like `client`, but an unhandled error comes back as the app's 500 instead of raising.

    Log entries are captured rather than rendered (a rendered traceback takes seconds).
    """
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = {"Authorization": f"Bearer {await mint_token(app)}"}
    with structlog.testing.capture_logs():
        async with httpx.AsyncClient(
            transport=transport, base_url="https://pilehub.test", headers=headers
        ) as client:
            yield client


# -- GET /v1/piles: paging -----------------------------------------------------------------------


async def test_paging_walks_every_pile_of_the_city_once_in_id_order(
    client: httpx.AsyncClient, demo: Database
) -> None:
    pages = await _walk(client, "/v1/piles", {"limit": 4})
    ids = [item["id"] for page in pages for item in page["items"]]
    expected = await _db_pile_ids(demo)
    assert len(expected) == 39  # 17 in Beixinjing + 22 synthetic neighbours
    assert len(ids) == len(set(ids))
    assert all(a < b for a, b in zip(ids, ids[1:], strict=False))
    assert ids == expected
    assert len(pages) == math.ceil(len(expected) / 4)
    assert all(len(page["items"]) == 4 for page in pages[:-1])
    assert all(page["next_cursor"] for page in pages[:-1])
    assert 1 <= len(pages[-1]["items"]) <= 4
    assert pages[-1]["next_cursor"] is None


async def test_an_exact_multiple_of_the_limit_ends_without_an_empty_page(
    client: httpx.AsyncClient, demo: Database
) -> None:
    pages = await _walk(client, "/v1/piles", {"community": TIANPU, "limit": 3})
    assert [len(page["items"]) for page in pages] == [3, 3]
    assert pages[-1]["next_cursor"] is None


async def test_default_page_holds_the_whole_small_city(
    client: httpx.AsyncClient, demo: Database
) -> None:
    body = (await client.get("/v1/piles")).json()
    assert len(body["items"]) == 39
    assert body["next_cursor"] is None


async def test_paging_with_filters_keeps_the_filter(
    client: httpx.AsyncClient, demo: Database
) -> None:
    pages = await _walk(client, "/v1/piles", {"area": BEIXINJING, "limit": 5})
    items = [item for page in pages for item in page["items"]]
    assert len(items) == 17
    assert {item["community"]["code"] for item in items} == {XINJING_3, XINJING_5, TIANPU}


# -- GET /v1/piles: filters ----------------------------------------------------------------------


async def test_area_filter_gives_the_17_piles_of_beixinjing(
    client: httpx.AsyncClient, demo: Database
) -> None:
    items = await _all_piles(client, area=BEIXINJING)
    assert len(items) == 17
    assert [item["id"] for item in items] == await _db_pile_ids(demo, street=BEIXINJING)
    per_community: dict[str, int] = {}
    for item in items:
        code = item["community"]["code"]
        per_community[code] = per_community.get(code, 0) + 1
    assert per_community == {XINJING_3: 8, XINJING_5: 3, TIANPU: 6}


async def test_district_area_covers_its_streets_only(
    client: httpx.AsyncClient, demo: Database
) -> None:
    changning = await _all_piles(client, area="310105")
    xuhui = await _all_piles(client, area="310104")
    assert len(changning) == 17 + 5 + 4 + 6 + 3
    assert len(xuhui) == 4
    assert not {p["id"] for p in changning} & {p["id"] for p in xuhui}


async def test_community_filter_gives_its_piles(client: httpx.AsyncClient, demo: Database) -> None:
    items = await _all_piles(client, community=TIANPU)
    assert len(items) == 6
    assert {item["community"]["code"] for item in items} == {TIANPU}
    assert {item["community"]["name"] for item in items} == {"天蒲小区"}
    assert [item["id"] for item in items] == await _db_pile_ids(demo, community=TIANPU)


async def test_colour_filter_matches_the_board(
    client: httpx.AsyncClient, demo: Database, settings: Settings
) -> None:
    # A second faulted pile, so that "exactly the yellow ones" is more than one pile.
    green = await client.get("/v1/piles", params={"community": XINJING_5, "colour": "green"})
    target = green.json()["items"][0]
    outcomes = await _record(
        demo,
        settings,
        [
            StatusReport(
                operator_id=OPERATOR,
                connector_id=target["connectors"][0]["connector_id"],
                code=255,
                observed_at=utc_now(),
            )
        ],
    )
    assert outcomes == [Outcome.CHANGED]

    board = (await client.get("/v1/board")).json()
    assert board["piles_included"] is True
    for colour in ("yellow", "red", "green"):
        on_board = sorted(p["id"] for p in board["piles"] if p["colour"] == colour)
        listed = await _all_piles(client, colour=colour)
        assert [p["id"] for p in listed] == on_board, colour
        assert {p["colour"] for p in listed} <= {colour}
        assert len(listed) == board["area"]["counts"][colour]
    yellow = [p["id"] for p in await _all_piles(client, colour="yellow")]
    assert len(yellow) == 2
    assert target["id"] in yellow
    assert await _all_piles(client, colour="unknown") == []


async def test_combined_filters_intersect(client: httpx.AsyncClient, demo: Database) -> None:
    green_in_beixinjing = await _all_piles(client, area=BEIXINJING, colour="green")
    assert [p["id"] for p in green_in_beixinjing] == await _db_pile_ids(
        demo, street=BEIXINJING, colour="green"
    )
    assert len(green_in_beixinjing) == 15

    for community in (XINJING_3, XINJING_5, TIANPU):
        combined = await _all_piles(client, area=BEIXINJING, community=community, colour="green")
        expected = await _db_pile_ids(demo, community=community, colour="green")
        assert [p["id"] for p in combined] == expected
        assert {p["community"]["code"] for p in combined} <= {community}

    red_in_tianpu = await _all_piles(client, area=BEIXINJING, community=TIANPU, colour="red")
    assert [p["id"] for p in red_in_tianpu] == await _db_pile_ids(
        demo, community=TIANPU, colour="red"
    )


async def test_a_community_outside_the_area_gives_no_piles(
    client: httpx.AsyncClient, demo: Database
) -> None:
    # Both exist and are visible, so this is an empty intersection rather than a 404.
    response = await client.get(
        "/v1/piles", params={"area": BEIXINJING, "community": CHENGJIAQIAO_A}
    )
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}
    inside = await client.get(
        "/v1/piles", params={"area": "310105010", "community": CHENGJIAQIAO_A}
    )
    assert len(inside.json()["items"]) == 5


# -- GET /v1/piles/{id} --------------------------------------------------------------------------


async def test_pile_detail_has_operator_community_station_location_and_connectors(
    client: httpx.AsyncClient, demo: Database
) -> None:
    listed = (await client.get("/v1/piles", params={"community": TIANPU, "limit": 1})).json()
    pile_id = listed["items"][0]["id"]
    response = await client.get(f"/v1/piles/{pile_id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    pile = response.json()
    assert pile == listed["items"][0]

    assert pile["id"] == pile_id
    assert pile["operator_id"] == OPERATOR
    assert pile["equipment_id"].startswith("310105" + OPERATOR)
    assert pile["equipment_type"] == 2
    assert pile["power_kw"] == 7.0
    assert pile["colour"] in {"green", "yellow", "red"}
    assert _time(pile["colour_since"]).tzinfo is not None
    assert pile["community"] == {"code": TIANPU, "name": "天蒲小区", "level": "community"}
    assert pile["station"]["id"] >= 1
    assert pile["station"]["station_id"].startswith("310105" + OPERATOR)
    assert pile["equipment_id"].startswith(pile["station"]["station_id"])
    assert pile["station"]["name"]
    assert pile["synthetic"] is True

    location = pile["location"]
    assert set(location) == {"lng", "lat"}
    assert _metres((location["lng"], location["lat"]), BEIXINJING_CENTRE) < 1_000
    async with demo.session() as session:
        row = await session.get(Pile, pile_id)
    assert row is not None
    assert row.lng_gcj02 is not None
    assert row.lat_gcj02 is not None
    # Served in WGS84, converted from the stored GCJ-02 (which is hundreds of metres off).
    assert (location["lng"], location["lat"]) == pytest.approx(
        gcj02_to_wgs84(row.lng_gcj02, row.lat_gcj02), abs=1e-6
    )
    assert _metres((location["lng"], location["lat"]), (row.lng_gcj02, row.lat_gcj02)) > 100

    assert len(pile["connectors"]) == 1
    (connector,) = pile["connectors"]
    assert connector["id"] >= 1
    assert connector["connector_id"] == pile["equipment_id"] + "1"
    assert connector["status"] in {s.value for s in ConnectorState} - {"unknown"}
    assert state_for_tcec_code(connector["raw_code"]) == connector["status"]
    assert connector["source"] == SYNTHETIC_SOURCE
    assert connector["power_kw"] == 7.0
    assert _time(connector["status_since"]) <= _time(connector["observed_at"])
    assert _time(connector["observed_at"]) <= _time(connector["received_at"])


async def test_every_demo_pile_is_synthetic_near_beixinjing_or_its_neighbours(
    client: httpx.AsyncClient, demo: Database
) -> None:
    for pile in await _all_piles(client, area=BEIXINJING):
        assert pile["operator_id"] == OPERATOR
        assert pile["synthetic"] is True
        position = (pile["location"]["lng"], pile["location"]["lat"])
        assert _metres(position, BEIXINJING_CENTRE) < 1_000
        assert [c["connector_id"] for c in pile["connectors"]] == [pile["equipment_id"] + "1"]
        assert all(c["source"] == SYNTHETIC_SOURCE for c in pile["connectors"])


# -- GET /v1/connectors/{id}/history -------------------------------------------------------------


async def test_connector_history_is_newest_first_and_keeps_late_reports(
    client: httpx.AsyncClient, demo: Database, settings: Settings
) -> None:
    pile = (await client.get("/v1/piles", params={"community": XINJING_5, "limit": 1})).json()
    connector = pile["items"][0]["connectors"][0]
    seeded_code = connector["raw_code"]
    # Three changes, each to a state other than the one before it.
    codes = [code for code in (1, 2, 3, 4) if code != seeded_code][:3]
    base = utc_now()
    observed = [base - timedelta(minutes=3 - n) for n in range(3)]
    received = [t + timedelta(seconds=7) for t in observed]
    outcomes = await _record(
        demo,
        settings,
        [
            StatusReport(
                operator_id=OPERATOR,
                connector_id=connector["connector_id"],
                code=code,
                observed_at=observed_at,
                received_at=received_at,
            )
            for code, observed_at, received_at in zip(codes, observed, received, strict=True)
        ],
    )
    assert outcomes == [Outcome.CHANGED] * 3

    # A late report: observed between the first and second change, received last.
    late_observed = observed[0] + timedelta(seconds=30)
    late_received = base + timedelta(seconds=1)
    late = await _record(
        demo,
        settings,
        [
            StatusReport(
                operator_id=OPERATOR,
                connector_id=connector["connector_id"],
                code=255,
                observed_at=late_observed,
                received_at=late_received,
            )
        ],
    )
    assert late == [Outcome.STALE]

    response = await client.get(f"/v1/connectors/{connector['id']}/history")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["connector_id"] == connector["id"]
    assert body["next_cursor"] is None
    items = body["items"]
    assert len(items) == 5  # seeded status, three changes, the late report
    ids = [item["id"] for item in items]
    assert all(a > b for a, b in zip(ids, ids[1:], strict=False))

    newest_late, *changes, seeded = items
    assert newest_late["applied"] is False
    assert newest_late["status"] == "faulted"
    assert newest_late["raw_code"] == 255
    assert _time(newest_late["observed_at"]) == late_observed
    assert _time(newest_late["received_at"]) == late_received

    assert [item["applied"] for item in changes] == [True, True, True]
    assert [item["raw_code"] for item in changes] == codes[::-1]
    assert [item["status"] for item in changes] == [state_for_tcec_code(c) for c in codes[::-1]]
    assert [_time(item["observed_at"]) for item in changes] == observed[::-1]
    assert [_time(item["received_at"]) for item in changes] == received[::-1]
    assert {item["source"] for item in changes} == {"operator"}

    assert seeded["applied"] is True
    assert seeded["source"] == SYNTHETIC_SOURCE
    assert seeded["raw_code"] == seeded_code
    assert _time(seeded["observed_at"]) == _time(connector["observed_at"])

    # The late report did not move the current state back.
    after = (await client.get(f"/v1/piles/{pile['items'][0]['id']}")).json()
    assert after["connectors"][0]["raw_code"] == codes[-1]
    assert _time(after["connectors"][0]["observed_at"]) == observed[-1]

    # limit=1 walks the same five entries, one per page.
    pages = await _walk(client, f"/v1/connectors/{connector['id']}/history", {"limit": 1})
    assert [len(page["items"]) for page in pages] == [1] * 5
    assert [page["items"][0] for page in pages] == items
    assert all(page["connector_id"] == connector["id"] for page in pages)

    two = await _walk(client, f"/v1/connectors/{connector['id']}/history", {"limit": 2})
    assert [len(page["items"]) for page in two] == [2, 2, 1]
    assert [item for page in two for item in page["items"]] == items


async def test_history_of_a_connector_lists_only_its_own_changes(
    client: httpx.AsyncClient, demo: Database
) -> None:
    piles = await _all_piles(client, community=XINJING_3)
    for pile in piles[:3]:
        connector = pile["connectors"][0]
        body = (await client.get(f"/v1/connectors/{connector['id']}/history")).json()
        assert len(body["items"]) == 1
        assert body["items"][0]["raw_code"] == connector["raw_code"]
        assert _time(body["items"][0]["observed_at"]) == _time(connector["observed_at"])


# -- bad input -----------------------------------------------------------------------------------


async def test_unknown_pile_is_not_found(client: httpx.AsyncClient, demo: Database) -> None:
    problem = assert_problem(await client.get("/v1/piles/999999"), 404, "pile-not-found")
    assert "999999" in problem["detail"]


@pytest.mark.parametrize("pile_id", ["0", "-1", "abc", "1.5", str(2**53 + 1)])
async def test_malformed_pile_id_is_a_validation_error(
    client: httpx.AsyncClient, demo: Database, pile_id: str
) -> None:
    problem = assert_problem(await client.get(f"/v1/piles/{pile_id}"), 422, "validation-error")
    assert isinstance(problem["errors"], list)
    assert problem["errors"][0]["loc"] == ["path", "pile_id"]


async def test_unknown_connector_is_not_found(client: httpx.AsyncClient, demo: Database) -> None:
    assert_problem(await client.get("/v1/connectors/999999/history"), 404, "connector-not-found")


@pytest.mark.parametrize("connector_id", ["0", "abc"])
async def test_malformed_connector_id_is_a_validation_error(
    client: httpx.AsyncClient, demo: Database, connector_id: str
) -> None:
    assert_problem(
        await client.get(f"/v1/connectors/{connector_id}/history"), 422, "validation-error"
    )


MALFORMED_CURSORS = {
    "not-base64-json": "zzz",
    "after-is-a-string": _cursor({"after": "x"}),
    "a-list": _cursor([]),
    "negative": _cursor({"after": -1}),
    "a-bool": _cursor({"after": True}),
    "a-float": _cursor({"after": 1.5}),
    "no-after": _cursor({"before": 1}),
    "null": _cursor(None),
    "not-json": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "not-ascii": "é",
    "bad-padding": "e",
}


@pytest.mark.parametrize("path", ["/v1/piles", "/v1/connectors/{connector}/history"])
@pytest.mark.parametrize("cursor", MALFORMED_CURSORS.values(), ids=MALFORMED_CURSORS.keys())
async def test_malformed_cursor_is_a_bad_request(
    client: httpx.AsyncClient, demo: Database, path: str, cursor: str
) -> None:
    url = path.format(connector=await _first_connector(client))
    problem = assert_problem(
        await client.get(url, params={"cursor": cursor}), 400, "malformed-cursor"
    )
    assert problem["detail"]


async def _first_connector(client: httpx.AsyncClient) -> int:
    body = (await client.get("/v1/piles", params={"limit": 1})).json()
    connector_id: int = body["items"][0]["connectors"][0]["id"]
    return connector_id


@pytest.mark.parametrize("path", ["/v1/piles", "/v1/connectors/{connector}/history"])
async def test_over_long_cursor_is_a_validation_error(
    client: httpx.AsyncClient, demo: Database, path: str
) -> None:
    url = path.format(connector=await _first_connector(client))
    problem = assert_problem(
        await client.get(url, params={"cursor": "a" * 300}), 422, "validation-error"
    )
    assert problem["errors"][0]["loc"] == ["query", "cursor"]


async def test_an_issued_cursor_works_and_an_empty_one_is_the_first_page(
    client: httpx.AsyncClient, demo: Database
) -> None:
    first = (await client.get("/v1/piles", params={"limit": 2})).json()
    assert first["next_cursor"] == _cursor({"after": first["items"][-1]["id"]})
    empty = (await client.get("/v1/piles", params={"limit": 2, "cursor": ""})).json()
    assert empty == first


@pytest.mark.parametrize("path", ["/v1/piles", "/v1/connectors/{connector}/history"])
@pytest.mark.parametrize("limit", ["0", "-1", str(MAX_LIMIT + 1), "ten"])
async def test_limit_out_of_range_is_a_validation_error(
    client: httpx.AsyncClient, demo: Database, path: str, limit: str
) -> None:
    url = path.format(connector=await _first_connector(client))
    problem = assert_problem(
        await client.get(url, params={"limit": limit}), 422, "validation-error"
    )
    assert isinstance(problem["errors"], list)
    assert len(problem["errors"]) == 1
    assert problem["errors"][0]["loc"] == ["query", "limit"]
    assert problem["errors"][0]["msg"]
    # Location, message and type only: the rejected input is not echoed back.
    assert set(problem["errors"][0]) == {"loc", "msg", "type"}


async def test_limit_at_the_bounds_is_accepted(client: httpx.AsyncClient, demo: Database) -> None:
    assert len((await client.get("/v1/piles", params={"limit": 1})).json()["items"]) == 1
    response = await client.get("/v1/piles", params={"limit": MAX_LIMIT})
    assert len(response.json()["items"]) == 39


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"colour": "purple"}, 422, "validation-error"),
        ({"area": "999999"}, 404, "area-not-found"),
        ({"area": "310199"}, 404, "area-not-found"),
        ({"area": "31a"}, 422, "validation-error"),
        ({"community": "999999999999"}, 404, "area-not-found"),
        ({"community": "abc"}, 422, "validation-error"),
    ],
)
async def test_bad_filters_are_problems(
    client: httpx.AsyncClient,
    demo: Database,
    params: dict[str, str],
    status: int,
    code: str,
) -> None:
    assert_problem(await client.get("/v1/piles", params=params), status, code)


# -- ids and cursors beyond the database's integer range (pile/connector ids are int4 on PG) --


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (f"/v1/piles/{2**31 - 1}", "pile-not-found"),
        (f"/v1/piles/{2**31}", "pile-not-found"),
        (f"/v1/piles/{2**53}", "pile-not-found"),
        (f"/v1/connectors/{2**31 - 1}/history", "connector-not-found"),
        (f"/v1/connectors/{2**31}/history", "connector-not-found"),
        (f"/v1/connectors/{2**53}/history", "connector-not-found"),
    ],
)
async def test_an_id_no_row_can_have_is_a_problem_not_a_server_error(
    lenient_client: httpx.AsyncClient, demo: Database, path: str, code: str
) -> None:
    response = await lenient_client.get(path)
    # Either rejected as out of range (422) or simply not found (404); never a 500.
    assert response.status_code in {404, 422}, response.text
    if response.status_code == 404:
        assert_problem(response, 404, code)
    else:
        problem = assert_problem(response, 422, "validation-error")
        assert problem["errors"][0]["loc"][0] == "path"


HUGE_AFTER = [2**31, 2**63 - 1, 2**63, 2**64 - 1]


@pytest.mark.parametrize("after", HUGE_AFTER)
async def test_a_pile_cursor_past_every_id_is_not_a_server_error(
    lenient_client: httpx.AsyncClient, demo: Database, after: int
) -> None:
    response = await lenient_client.get("/v1/piles", params={"cursor": _cursor({"after": after})})
    # Either an empty last page or "not a cursor this API issued"; never a 500.
    assert response.status_code in {200, 400}, response.text
    if response.status_code == 200:
        assert response.json() == {"items": [], "next_cursor": None}
    else:
        assert_problem(response, 400, "malformed-cursor")


@pytest.mark.parametrize("after", HUGE_AFTER)
async def test_a_history_cursor_past_every_id_is_not_a_server_error(
    lenient_client: httpx.AsyncClient, demo: Database, after: int
) -> None:
    connector = await _first_connector(lenient_client)
    path = f"/v1/connectors/{connector}/history"
    whole = (await lenient_client.get(path)).json()
    response = await lenient_client.get(path, params={"cursor": _cursor({"after": after})})
    # History runs newest first, so the cursor is an upper bound: either everything below it
    # (the whole history) or "not a cursor this API issued"; never a 500.
    assert response.status_code in {200, 400}, response.text
    if response.status_code == 200:
        assert response.json() == whole
    else:
        assert_problem(response, 400, "malformed-cursor")


async def test_community_filter_must_name_a_community(
    client: httpx.AsyncClient, demo: Database
) -> None:
    response = await client.get("/v1/piles", params={"community": "310105011"})
    assert response.status_code == 400
    assert response.json()["code"] == "not-a-community"
