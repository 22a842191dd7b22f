"""BOLA matrix: 4 tiers x {own area, sibling street, parent district, other district, city}
x every route that takes an id or an area. A read outside the caller's area is a 404 (no
existence oracle), and nothing a 200 returns lies outside the area."""

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

pytestmark = pytest.mark.asyncio(loop_scope="session")

AREA_ROUTES = ["/v1/board?area={}", "/v1/map?area={}", "/v1/piles?area={}", "/v1/sessions?area={}",
               "/v1/jurisdictions/{}",
               "/v1/energy?area={}", "/v1/energy?area={}&group_by=pile",
               "/v1/utilization?area={}&group_by=pile", "/v1/guidance/off-peak?area={}",
               "/v1/guidance/siting?area={}", "/v1/uptime?area={}"]  # fmt: skip
ID_ROUTES = ["/v1/piles/{pile}", "/v1/connectors/{connector}/history"]
# Outside the vendors' data contract (tests/auth/test_vendor_contract.py): 403 in every area,
# before the area is looked at, so no existence oracle either.
NOT_FOR_VENDORS = {"/v1/board?area={}", "/v1/map?area={}", "/v1/piles?area={}",
                   "/v1/energy?area={}&group_by=pile", "/v1/utilization?area={}&group_by=pile",
                   "/v1/uptime?area={}", *ID_ROUTES}  # fmt: skip


@pytest.mark.parametrize("tier", list(CALLERS))
async def test_no_read_crosses_the_callers_area(
    tier: Tier, app: FastAPI, anonymous: httpx.AsyncClient, demo: Database
) -> None:
    paths = await jurisdiction_paths(demo)
    caller_path = paths[CALLERS[tier]]
    token = await mint_token(app, tier=tier, area=CALLERS[tier], area_path=caller_path)
    headers = {"Authorization": f"Bearer {token}"}
    outcomes = []
    for target, code in TARGETS.items():
        visible = paths[code].startswith(caller_path)
        pile, connector = await one_pile_in(demo, paths[code])
        urls = [(route, route.format(code)) for route in AREA_ROUTES]
        urls += [(route, route.format(pile=pile, connector=connector)) for route in ID_ROUTES]
        for route, url in urls:
            response = await anonymous.get(url, headers=headers)
            outcomes.append((target, url, response.status_code))
            if tier is Tier.VENDOR and route in NOT_FOR_VENDORS:
                assert response.status_code == 403, (target, url, response.text)
                continue
            # An id found by subtree may sit in a narrower visible part: judge by its own path.
            expected_visible = visible
            if "{pile}" not in url and url.startswith(("/v1/piles/", "/v1/connectors/")):
                async with demo.session() as session:
                    pile_path = (
                        await session.exec(
                            select(Jurisdiction.path)
                            .join(Pile, col(Pile.jurisdiction_id) == Jurisdiction.id)
                            .where(Pile.id == pile)
                        )
                    ).one()
                expected_visible = pile_path.startswith(caller_path)
            if expected_visible:
                assert response.status_code == 200, (tier, target, url, response.text)
                assert not leaks(response.json(), caller_path, paths), (tier, target, url)
            else:
                assert response.status_code == 404, (tier, target, url, response.text)
    assert len(outcomes) == len(TARGETS) * (len(AREA_ROUTES) + len(ID_ROUTES))
