"""`pilehub demo`'s screen enrolment: a screen that starts the device flow at the real
endpoint is approved by the demo's task, for Beixinjing and read-only, and by nothing else."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlmodel import select

from app.core.config import Settings
from app.core.db import Database
from app.demo.screens import DEMO_APPROVER, run_screen_enroller
from app.models import DeviceAuthorization, Screen
from app.oauth.screen_service import DEFAULT_SCREEN_SCOPES, normalise_user_code
from tests.fixtures.logs import json_log_lines
from tests.oauth.helpers import BEIXINJING, error_of, poll, start

pytestmark = pytest.mark.asyncio(loop_scope="session")


@asynccontextmanager
async def enroller(database: Database, settings: Settings) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_screen_enroller(database, settings.city_code, BEIXINJING, stop, interval=0.1)
    )
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)


async def status_of(database: Database, user_code: str) -> DeviceAuthorization:
    async with database.session() as session:
        row = (
            await session.exec(
                select(DeviceAuthorization).where(
                    DeviceAuthorization.user_code == normalise_user_code(user_code)
                )
            )
        ).one()
    return row


async def wait_decided(database: Database, user_code: str, within: float) -> DeviceAuthorization:
    deadline = time.monotonic() + within
    while True:
        row = await status_of(database, user_code)
        if row.status != "pending" or time.monotonic() > deadline:
            return row
        await asyncio.sleep(0.05)


async def test_a_screen_that_asks_is_approved_for_beixinjing_read_only_within_seconds(
    anonymous: httpx.AsyncClient, demo_registry: Database, settings: Settings
) -> None:
    # It asks for more than the default (sessions:read): the demo grants the default only.
    started = await start(anonymous, scope="registry:read status:read sessions:read")
    async with enroller(demo_registry, settings):
        began = time.monotonic()
        row = await wait_decided(demo_registry, started["user_code"], within=2.0)
        assert row.status == "approved", "not approved within 2 s"
        took = time.monotonic() - began
    assert took < 2.0
    tokens = await poll(anonymous, started["device_code"])
    assert tokens.status_code == 200, tokens.text
    assert set(tokens.json()["scope"].split()) == DEFAULT_SCREEN_SCOPES
    async with demo_registry.session() as session:
        screen = (await session.exec(select(Screen))).one()
    assert (screen.area_code, screen.tier) == (BEIXINJING, "street")
    assert set(screen.scopes.split()) == DEFAULT_SCREEN_SCOPES
    assert all(scope.endswith(":read") for scope in screen.scopes.split())
    assert screen.approved_by == DEMO_APPROVER
    assert screen.name == f"demo screen {started['user_code']}"
    board = await anonymous.get(
        "/v1/board",
        params={"area": BEIXINJING},
        headers={"Authorization": f"Bearer {tokens.json()['access_token']}"},
    )
    assert board.status_code == 200, board.text
    assert board.json()["area"]["counts"]["total"] == 17


async def test_nothing_is_approved_when_the_task_is_not_running(
    anonymous: httpx.AsyncClient, demo_registry: Database, settings: Settings
) -> None:
    async with enroller(demo_registry, settings):
        pass  # started and stopped before the screen asks
    started = await start(anonymous)
    await asyncio.sleep(1.0)
    assert (await status_of(demo_registry, started["user_code"])).status == "pending"
    pending = await poll(anonymous, started["device_code"])
    assert (pending.status_code, error_of(pending)) == (400, "authorization_pending")
    async with demo_registry.session() as session:
        assert (await session.exec(select(Screen))).all() == []


async def test_each_approval_is_logged_at_info_without_a_secret(
    anonymous: httpx.AsyncClient, demo_registry: Database, settings: Settings
) -> None:
    started = await start(anonymous)
    with json_log_lines("INFO") as buffer:
        async with enroller(demo_registry, settings):
            row = await wait_decided(demo_registry, started["user_code"], within=2.0)
    assert row.status == "approved"
    logged = buffer.getvalue()
    (line,) = [line for line in logged.splitlines() if "demo screen approved" in line]
    entry = json.loads(line)
    assert entry["level"] == "info"
    assert (entry["user_code"], entry["area"]) == (started["user_code"], BEIXINJING)
    assert entry["screen_id"] == row.screen_id
    assert started["device_code"] not in logged
