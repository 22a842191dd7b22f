"""While the database is unreachable the hub fails fast with each protocol's own answer, and
is back as soon as the database is (issue 18, item 8). PostgreSQL only: the outage is a cut
TCP proxy between one app and the shared server."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url
from sqlmodel import func, select

from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from app.models import StatusChange
from app.operators import service as operators_service
from app.operators.schemas import OperatorOnboard
from tests.fixtures.auth import mint_token
from tests.fixtures.tcp_proxy import TcpProxy
from tests.ingest.helpers import INBOUND, OPERATOR, OUTBOUND, Operator, status

pytestmark = pytest.mark.asyncio(loop_scope="session")


class Rig:
    def __init__(self, proxy: TcpProxy, client: httpx.AsyncClient, operator: Operator) -> None:
        self.proxy, self.client, self.operator = proxy, client, operator


@pytest_asyncio.fixture
async def rig(demo_registry: Database, settings: Settings) -> AsyncIterator[Rig]:
    if demo_registry.is_sqlite:
        pytest.skip("the outage is a cut TCP connection to PostgreSQL")
    url = make_url(demo_registry.url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    through = Database(url.set(port=proxy.port).render_as_string(hide_password=False))
    app = create_app(settings.model_copy(update={"database_url": through.url}), database=through)
    async with demo_registry.session(write=True) as session:
        await operators_service.onboard_operator(
            session, app.state.context.vault, OperatorOnboard.model_validate({
                "operator_id": OPERATOR, "name": "国网", "base_url": "http://127.0.0.1:9/evcs/v1/",
                "inbound": INBOUND, "outbound": OUTBOUND,
            }),
        )  # fmt: skip
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {await mint_token(app)}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="https://pilehub.test", headers=headers
    ) as client:
        operator = Operator(client)
        await operator.login()
        yield Rig(proxy, client, operator)
    await proxy.cut()
    await through.dispose()


async def _timed(call: Any) -> tuple[Any, float]:
    started = time.monotonic()
    result = await call
    return result, time.monotonic() - started


async def _stored(database: Database) -> int:
    async with database.session() as session:
        return (await session.exec(select(func.count()).select_from(StatusChange))).one()


async def test_an_outage_is_503_and_ret_minus_1_fast_and_service_comes_back(
    rig: Rig, demo_registry: Database
) -> None:
    client = rig.client
    assert (await client.get("/v1/board", params={"area": "310105011"})).status_code == 200
    assert (await client.get("/readyz")).status_code == 200

    await rig.proxy.cut()
    board, took = await _timed(client.get("/v1/board", params={"area": "310105011"}))
    assert board.status_code == 503, board.text
    assert board.headers["content-type"] == "application/problem+json"
    assert board.json()["code"] == "database-unavailable"
    assert int(board.headers["retry-after"]) > 0
    assert took <= 2.5
    graphql, took = await _timed(
        client.post("/graphql", json={"query": "{ board { dataVersion } }"})
    )
    assert (graphql.status_code, took <= 2.5) == (503, True), graphql.text
    assert "retry-after" in graphql.headers
    ready, took = await _timed(client.get("/readyz"))
    assert (ready.status_code, took <= 1.5) == (503, True)
    assert (await client.get("/healthz")).status_code == 200
    (ret, msg, _), took = await _timed(rig.operator.call("notification_stationStatus",
                                                         status(255)))  # fmt: skip
    assert (ret, took <= 2.5) == (-1, True), msg
    assert await _stored(demo_registry) == 0  # "busy" means nothing was stored

    await rig.proxy.start()
    started = time.monotonic()
    board = await client.get("/v1/board", params={"area": "310105011"})
    assert board.status_code == 200, board.text
    assert time.monotonic() - started <= 2.0
    assert (await client.get("/readyz")).status_code == 200
    assert (await rig.operator.call("notification_stationStatus", status(255)))[0] == 0
    assert await _stored(demo_registry) == 1
