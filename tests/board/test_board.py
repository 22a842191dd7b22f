"""The big-screen read side on the Beixinjing demo: board, map, jurisdictions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select

from app.auth.principal import city_principal
from app.board.snapshots import SnapshotCache
from app.core.config import Settings
from app.core.db import Database
from app.core.time import utc_now
from app.geo import gcj02_to_wgs84
from app.jurisdictions import service as jurisdictions_service
from app.models import JurisdictionLevel, Pile, Station
from app.status import service as status_service
from app.status.schemas import StatusReport

pytestmark = pytest.mark.asyncio

BEIXINJING = "310105011"
COMMUNITY_PILES = {"新泾三村": 8, "新泾五村": 3, "天蒲小区": 6}


async def test_board_shows_beixinjing_17_piles_in_3_communities(
    client: httpx.AsyncClient, demo: Database
) -> None:
    response = await client.get("/v1/board", params={"area": BEIXINJING})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    board = response.json()
    assert board["area"]["code"] == BEIXINJING
    assert board["area"]["counts"]["total"] == 17
    assert {c["name"]: c["counts"]["total"] for c in board["children"]} == COMMUNITY_PILES
    assert len(board["piles"]) == 17
    assert board["piles_included"] is True
    per_community: dict[str, int] = {}
    for pile in board["piles"]:
        per_community[pile["community"]["name"]] = (
            per_community.get(pile["community"]["name"], 0) + 1
        )
        assert pile["colour"] in {"green", "yellow", "red"}
        assert pile["colour_since"]
    assert per_community == COMMUNITY_PILES
    counts = board["area"]["counts"]
    assert counts["yellow"] == 1
    assert counts["red"] == 1
    assert counts["green"] == 15
    assert sum(1 for p in board["piles"] if p["colour"] == "red" and p["maintenance"]) == 1


async def test_board_reflects_a_status_change_and_keeps_its_snapshot_otherwise(
    client: httpx.AsyncClient, demo: Database, settings: Settings
) -> None:
    first = await client.get("/v1/board", params={"area": BEIXINJING})
    again = await client.get("/v1/board", params={"area": BEIXINJING})
    assert again.content == first.content

    # A change in another street moves the event log but not this board.
    await _report(demo, settings, "310105MA002TMQX0004011", code=255)
    unrelated = await client.get("/v1/board", params={"area": BEIXINJING})
    assert unrelated.content == first.content

    green = next(p for p in first.json()["piles"] if p["colour"] == "green")
    await _report(demo, settings, green["equipment_id"] + "1", code=255)
    after = (await client.get("/v1/board", params={"area": BEIXINJING})).json()
    assert after["data_version"] > first.json()["data_version"]
    changed = next(p for p in after["piles"] if p["id"] == green["id"])
    assert changed["colour"] == "yellow"
    assert after["area"]["counts"]["yellow"] == 2


async def _report(database: Database, settings: Settings, connector_id: str, code: int) -> None:
    async with database.session(write=True) as session:
        await status_service.record_status_report(
            session,
            StatusReport(
                operator_id="MA002TMQX", connector_id=connector_id, code=code, observed_at=utc_now()
            ),
            rules=settings.colour,
        )


async def test_map_is_geojson_in_wgs84_with_colours(
    client: httpx.AsyncClient, demo: Database
) -> None:
    response = await client.get("/v1/map", params={"area": BEIXINJING})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 17
    async with demo.session() as session:
        piles = {p.id: p for p in (await session.exec(select(Pile))).all()}
    for feature in collection["features"]:
        pile = piles[feature["id"]]
        assert pile.lng_gcj02 is not None
        assert pile.lat_gcj02 is not None
        lng, lat = gcj02_to_wgs84(pile.lng_gcj02, pile.lat_gcj02)
        assert feature["geometry"]["coordinates"] == pytest.approx([lng, lat], abs=1e-6)
        # GCJ-02 is offset by hundreds of metres in Shanghai; the output must not be raw.
        assert abs(feature["geometry"]["coordinates"][0] - pile.lng_gcj02) > 1e-3
        assert feature["properties"]["colour"] == pile.colour


async def test_map_of_the_city_covers_every_pile(client: httpx.AsyncClient, demo: Database) -> None:
    collection = (await client.get("/v1/map")).json()
    async with demo.session() as session:
        total = len((await session.exec(select(Pile))).all())
        stations = (await session.exec(select(Station))).all()
    assert len(collection["features"]) == total
    assert all(s.synthetic for s in stations)
    assert collection["colour_counts"]["total"] == total


async def test_jurisdiction_has_children_counts_and_ancestors(
    client: httpx.AsyncClient, demo: Database
) -> None:
    body: dict[str, Any] = (await client.get(f"/v1/jurisdictions/{BEIXINJING}")).json()
    assert body["level"] == "street"
    assert body["ancestors"] == ["310000", "310105"]
    assert body["parent_code"] == "310105"
    assert [c["counts"]["total"] for c in body["children"]] == [8, 3, 6]
    district = (await client.get("/v1/jurisdictions/310105")).json()
    assert {c["code"] for c in district["children"]} == {"310105010", "310105011", "310105102"}
    assert district["counts"]["total"] == sum(c["counts"]["total"] for c in district["children"])


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/v1/board?area=999999", 404, "area-not-found"),
        ("/v1/board?area=31a", 422, "validation-error"),
        ("/v1/map?area=310199", 404, "area-not-found"),
        ("/v1/jurisdictions/320000", 404, "area-not-found"),
        ("/v1/jurisdictions/abc", 422, "validation-error"),
    ],
)
async def test_unknown_or_malformed_area_is_a_problem(
    client: httpx.AsyncClient, demo: Database, path: str, status: int, code: str
) -> None:
    response = await client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["code"] == code
    assert problem["type"].endswith(code)
    assert problem["title"]


async def test_a_poll_within_max_age_is_served_without_reading_the_log(
    app: FastAPI, client: httpx.AsyncClient, demo: Database, settings: Settings
) -> None:
    snapshots: SnapshotCache = app.state.context.snapshots
    first = await client.get("/v1/board", params={"area": BEIXINJING})
    snapshots.max_age = 3600.0
    green = next(p for p in first.json()["piles"] if p["colour"] == "green")
    await _report(demo, settings, green["equipment_id"] + "1", code=255)
    cached = await client.get("/v1/board", params={"area": BEIXINJING})
    assert cached.content == first.content
    snapshots.max_age = 0.0
    fresh = (await client.get("/v1/board", params={"area": BEIXINJING})).json()
    assert next(p for p in fresh["piles"] if p["id"] == green["id"])["colour"] == "yellow"


async def test_flagging_a_red_pile_and_renaming_a_community_refresh_the_board(
    client: httpx.AsyncClient, demo: Database, settings: Settings
) -> None:
    board = (await client.get("/v1/board", params={"area": BEIXINJING})).json()
    red = next(p for p in board["piles"] if p["colour"] == "red")
    yellow = next(p for p in board["piles"] if p["colour"] == "yellow")
    principal = city_principal(settings.city_code)
    async with demo.session(write=True) as session:
        await status_service.set_maintenance(
            session, principal, pile_id=yellow["id"], flagged=True, note="x", rules=settings.colour
        )
    async with demo.session(write=True) as session:
        await status_service.set_maintenance(
            session, principal, pile_id=red["id"], flagged=False, note=None, rules=settings.colour
        )
    after = {p["id"]: p for p in (await client.get(f"/v1/board?area={BEIXINJING}")).json()["piles"]}
    assert after[yellow["id"]]["maintenance"] is True
    assert after[yellow["id"]]["colour"] == "red"
    assert after[red["id"]]["maintenance"] is False

    async with demo.session(write=True) as session:
        await jurisdictions_service.ensure_jurisdiction(
            session,
            code="310105011003",
            name="天蒲小区（更名）",
            level=JurisdictionLevel.COMMUNITY,
            parent_code=BEIXINJING,
        )
    renamed = (await client.get(f"/v1/board?area={BEIXINJING}")).json()
    assert "天蒲小区（更名）" in [c["name"] for c in renamed["children"]]


@pytest.mark.parametrize("path", ["/v1/board", "/v1/map"])
async def test_conditional_get_answers_304_until_the_area_changes(
    client: httpx.AsyncClient, demo: Database, settings: Settings, path: str
) -> None:
    first = await client.get(path, params={"area": BEIXINJING})
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    for if_none_match in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        again = await client.get(
            path, params={"area": BEIXINJING}, headers={"If-None-Match": if_none_match}
        )
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == etag
    stale = await client.get(path, params={"area": BEIXINJING}, headers={"If-None-Match": '"x"'})
    assert stale.status_code == 200
    assert stale.content == first.content

    green = next(
        p for p in (await client.get("/v1/board")).json()["piles"] if p["colour"] == "green"
    )
    await _report(demo, settings, green["equipment_id"] + "1", code=255)
    changed = await client.get(path, params={"area": BEIXINJING}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_fast_path_answers_exactly_like_the_full_route(
    app: FastAPI, client: httpx.AsyncClient, demo: Database
) -> None:
    snapshots: SnapshotCache = app.state.context.snapshots
    snapshots.max_age = 3600.0  # keep the version check from being due: hits take the fast path
    for path in ("/v1/board", "/v1/map"):
        built = await client.get(path, params={"area": BEIXINJING})
        served = await client.get(path, params={"area": BEIXINJING})
        assert served.content == built.content
        for header in ("content-type", "etag", "cache-control"):
            assert served.headers[header] == built.headers[header]
        assert served.headers["x-request-id"] != built.headers["x-request-id"]
    # Nothing that failed is ever remembered, and what the fast path does not recognise
    # goes to the full route.
    for _ in range(2):
        assert (await client.get("/v1/board", params={"area": "999999"})).status_code == 404
        assert (await client.get("/v1/board", params={"area": "31a"})).status_code == 422
    extra = await client.get("/v1/board", params={"area": BEIXINJING, "x": "1"})
    assert extra.status_code == 200
