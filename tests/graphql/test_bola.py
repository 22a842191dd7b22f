"""The BOLA matrix of tests/auth, in GraphQL: root fields by area and by id, nested fields
that walk the tree, and subscriptions. Outside the caller's area: not found (null or a
not-found error), and nothing in an answer lies outside the area."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import col, select

from app.auth.scopes import Tier
from app.core.db import Database
from app.models import Jurisdiction, Pile
from tests.auth.helpers import CALLERS, TARGETS, jurisdiction_paths, leaks, one_pile_in
from tests.fixtures.auth import mint_token
from tests.graphql.helpers import error_codes, gql

pytestmark = pytest.mark.asyncio(loop_scope="session")

AREA_FIELDS = [
    "board(area: $area) { area { code } children { nodes { code } } "
    "piles { nodes { community { code } } } }",
    "area(code: $area) { code children { nodes { code children { nodes { code } } } } }",
    "piles(area: $area) { nodes { community { code } connectors { nodes { id } } } }",
    "alerts(area: $area) { nodes { community } }",
    "energy(area: $area) { area { code } totals { nodes { group { code community } } } }",
    "uptime(area: $area) { area { code } piles { nodes { community } } }",
    "offPeakGuidance(area: $area) { area { code } communities { nodes { community { code } } } }",
]


async def _community_of(database: Database, pile_id: int) -> str:
    async with database.session() as session:
        code = (
            await session.exec(
                select(Jurisdiction.code)
                .join(Pile, col(Pile.jurisdiction_id) == Jurisdiction.id)
                .where(Pile.id == pile_id)
            )
        ).one()
    return code


@pytest.mark.parametrize("tier", list(CALLERS))
async def test_no_field_crosses_the_callers_area(
    tier: Tier, app: FastAPI, anonymous: httpx.AsyncClient, demo: Database
) -> None:
    paths = await jurisdiction_paths(demo)
    caller_path = paths[CALLERS[tier]]
    token = await mint_token(app, tier=tier, area=CALLERS[tier], area_path=caller_path)
    anonymous.headers["Authorization"] = f"Bearer {token}"
    checked = 0
    for target, code in TARGETS.items():
        visible = paths[code].startswith(caller_path)
        for field in AREA_FIELDS:
            if tier is Tier.VENDOR and field.startswith(("alerts", "board", "piles", "uptime")):
                continue  # outside the vendors' contract (tests/auth/test_vendor_contract.py)
            answer = await gql(anonymous, f"query($area: AreaCode) {{ {field} }}", {"area": code})
            checked += 1
            if visible:
                assert "errors" not in answer, (tier, target, field, answer)
                assert not leaks(answer["data"], caller_path, paths), (tier, target, field)
            else:
                assert answer["data"] is None, (tier, target, field)
                assert error_codes(answer) == ["area-not-found"], (tier, target, answer)
        pile, connector = await one_pile_in(demo, paths[code])
        by_id = await gql(
            anonymous,
            "query($id: Int!) { pile(id: $id) { id community { code } "
            "connectors { nodes { id history { nodes { status } } } } } }",
            {"id": pile},
        )
        checked += 1
        if tier is Tier.VENDOR:  # in every area alike: no existence oracle
            assert error_codes(by_id) == ["outside-vendor-contract"], (target, by_id)
            continue
        assert "errors" not in by_id
        found = by_id["data"]["pile"]
        # The pile was picked anywhere in the target's subtree: judge it by its own path.
        pile_visible = paths[await _community_of(demo, pile)].startswith(caller_path)
        assert (found is not None) == pile_visible, (tier, target, found)
        if found is not None:
            assert paths[found["community"]["code"]].startswith(caller_path), (tier, target)
    # The caller's own tree, walked down: never more than its own subtree.
    tree = await gql(
        anonymous, "{ area { code children { nodes { code children { nodes { code } } } } } }"
    )
    assert tree["data"]["area"]["code"] == CALLERS[tier]
    assert not leaks(tree["data"], caller_path, paths)
    assert checked >= len(TARGETS) * 4
