"""The demo's numbers: the simulator's 30 backfilled days, pushed into the hub over T/CEC 102
exactly as `make demo` does, give the report's monthly energy per community, and the
off-peak guidance names 天蒲小区 as the community with the most idle capacity."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.core.db import Database
from app.core.time import LOCAL_TZ
from app.operators import service as operators_service
from app.operators.schemas import OperatorOnboard
from app.simulator.credentials import DEMO_CREDENTIALS, STATE_GRID_NAME, onboarding_document
from app.simulator.process import build_state
from app.simulator.pusher import Pusher
from app.tcec.client import ClientLimits, TcecClient

pytestmark = pytest.mark.asyncio(loop_scope="session")

# The report's month per community: monthly_kwh in app/catalogue/beixinjing.yaml.
REPORT = {"新泾三村": 2603, "新泾五村": 1164, "天蒲小区": 653}


async def test_backfilled_month_gives_the_reports_figures(
    app: Any, demo_registry: Database, client: httpx.AsyncClient
) -> None:
    async with demo_registry.session(write=True) as session:
        await operators_service.onboard_operator(
            session,
            app.state.context.vault,
            OperatorOnboard.model_validate(
                {"operator_id": DEMO_CREDENTIALS.operator_id, "name": STATE_GRID_NAME,
                 "base_url": "http://127.0.0.1:9/evcs/v1/", **onboarding_document()}
            ),
        )  # fmt: skip
    # What `pilehub demo` builds: seed 2022, 30 days ending at today's local midnight.
    state, orders = build_state(seed=2022, speed=60.0, backfill_days=30)
    assert state.history is not None
    begin, end = state.history
    inbound = DEMO_CREDENTIALS.inbound
    async with TcecClient(
        base_url="http://pilehub.test/evcs/v1/", operator_id=DEMO_CREDENTIALS.operator_id,
        secrets=inbound.secrets, operator_secret=inbound.operator_secret,
        transport=httpx.ASGITransport(app=app), limits=ClientLimits(attempts=1, deadline=30),
        clock=state.clock.stamp,
    ) as tcec:  # fmt: skip
        await Pusher(state, tcec, retry_interval=0).push_initial(orders)
    assert not state.pending.orders

    window = {
        "area": "310105011",
        "from": begin.astimezone(LOCAL_TZ).date().isoformat(),
        "to": (end.astimezone(LOCAL_TZ) - timedelta(days=1)).date().isoformat(),
    }
    response = await client.get(
        "/v1/energy", params=window | {"granularity": "month", "group_by": "community"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    totals = {t["group"]["name"]: t["energy_kwh"] for t in body["totals"]}
    for name, kwh in REPORT.items():
        assert totals[name] == pytest.approx(kwh, rel=0.01), (name, totals)
    # Month buckets are sums of days: they add up to the same totals.
    by_rows: dict[str, float] = {}
    for row in body["rows"]:
        by_rows[row["group"]["name"]] = by_rows.get(row["group"]["name"], 0) + row["energy_kwh"]
    assert by_rows == pytest.approx(totals)

    guidance = (await client.get("/v1/guidance/off-peak", params=window)).json()
    assert guidance["recommendation"]["most_idle_community"]["name"] == "天蒲小区"
    idle = {c["community"]["name"]: c["idle_share"] for c in guidance["communities"]}
    assert max(idle, key=lambda name: idle[name]) == "天蒲小区"
    siting = (await client.get("/v1/guidance/siting", params=window)).json()
    assert siting["communities"][-1]["community"]["name"] == "天蒲小区"  # least pressure
