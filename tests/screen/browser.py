"""The screen page in a real headless Chromium, against a real hub over loopback HTTP.

Debian's Chromium (`/usr/bin/chromium`, `.ci/run` installs it with fonts-noto-cjk) is driven
through Playwright's async API: the tests run in pytest-asyncio's session loop, and the hub is
served by uvicorn in that same loop, so nothing blocks it. Playwright never downloads a browser
here; it launches the system one with a fresh profile of its own per launch.

One hub per module, on its own SQLite file with the Beixinjing demo as `make demo` has it: the
registry (`seed_demo`: 17 piles in three communities), the State Grid operator onboarded with
the simulator's demo credentials, and 16 days of the lively simulator's history for Beixinjing
pushed over signed T/CEC (statuses in every colour, with its staged red and yellow, and the
charge orders the energy, utilisation, guidance and uptime panels draw). Tests push their own
statuses the same way. The history lands in the background while Chromium starts and the
screens show their user codes; the codes are approved once it is in. The hub can be stopped
and started again on the same port (a restart as the page sees it: open streams cut,
connections refused, then a new app on the same data).

Screens sign in the way a wall screen does: the page runs the device flow and shows its user
code, and the test approves that code through the admin API (`POST /v1/admin/screens`).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, Page, ViewportSize, async_playwright, expect

from app.catalogue.beixinjing import demo_catalogue
from app.core.config import Settings
from app.core.db import Database
from app.core.migrations import upgrade
from app.core.time import utc_now
from app.core.vault import SecretVault
from app.core.websocket import UVICORN_WEBSOCKET
from app.demo.seed import seed_demo
from app.main import create_app
from app.operators import service as operators_service
from app.operators.schemas import OperatorOnboard
from app.simulator.behaviour import DEMO_LIVELINESS
from app.simulator.clock import SimClock
from app.simulator.credentials import (
    DEMO_CREDENTIALS,
    STATE_GRID_NAME,
    onboarding_document,
)
from app.simulator.fleet import FleetModel
from app.simulator.pusher import Pusher
from app.simulator.state import SimulatorState
from app.tcec.client import ClientLimits, TcecClient
from tests.fixtures.auth import mint_token
from tests.fixtures.databases import in_ci
from tests.fixtures.serving import free_port

CHROMIUM = Path("/usr/bin/chromium")
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # fonts-noto-cjk
# As root in a container Chromium needs --no-sandbox; the rest keep it off the network and
# quiet (no QUIC, updates, sync or first-run work) so it talks to the hub on loopback only.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WALL: ViewportSize = {"width": 1920, "height": 1080}
LAPTOP: ViewportSize = {"width": 1366, "height": 768}

BEIXINJING = "310105011"
CHANGNING = "310105"
CHENGJIAQIAO = "310105010"  # another street of the same district
STATUS_INTERFACE = "notification_stationStatus"
SIMULATOR_SEED = 2022  # the demo's
# Over half the panels' 30-day windows, so each has enough observed time to draw (below half
# they say so instead); the full month of `make demo` would cost 20 s more here.
HISTORY_DAYS = 16
# The board says "unknown" where the page's DOM contract says "grey".
DOM_COLOUR = {"green": "green", "yellow": "yellow", "red": "red", "unknown": "grey"}

# The device flow's poll interval is 5 s (RFC 8628's default, app.oauth.screen_service), so a
# screen's first tokens come up to one interval after its code is approved.
SIGN_IN_WITHIN_MS = 15_000
USER_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")
# How long a revocation may take to stop a screen with the settings below: the open event
# stream notices it at its next heartbeat, and the page's reconnect then finds the token
# refused and its refresh token dead. Both bounds are shortened here from the hub's defaults
# (15 s heartbeat, 5 s auth refresh, README: a revoked screen stops within 30 s).
HEARTBEAT = timedelta(seconds=1)
AUTH_REFRESH = timedelta(seconds=1)
REVOKED_WITHIN_MS = 10_000


def require_chromium() -> Path:
    """The system Chromium; in CI its absence (or the CJK fonts', without which the Chinese
    page would pass the tests as boxes) fails the run, elsewhere it skips the test."""
    missing = [
        str(path)
        for path, ok in ((CHROMIUM, os.access(CHROMIUM, os.X_OK)), (CJK_FONT, CJK_FONT.is_file()))
        if not ok
    ]
    if not missing:
        return CHROMIUM
    message = (
        f"{' and '.join(missing)} missing: the browser tests need Debian's chromium and "
        "fonts-noto-cjk (`apt-get install chromium fonts-noto-cjk`; .ci/run installs them)"
    )
    if in_ci():
        pytest.fail(f"{message}; CI must run them")
    pytest.skip(message)


def connectors_of(equipment_id: str) -> list[str]:
    """A demo pile's connector ids, from the catalogue the hub was seeded with."""
    for _, station in demo_catalogue(2022):
        for equipment in station.equipment:
            if equipment.equipment_id == equipment_id:
                return [connector.connector_id for connector in equipment.connectors]
    raise LookupError(equipment_id)


class ScreenHub:
    """The hub under uvicorn on a fixed loopback port, which it can stop and start again."""

    def __init__(self, settings: Settings, database: Database, port: int) -> None:
        self.settings, self.database, self.port = settings, database, port
        self.base = f"http://127.0.0.1:{port}"
        self._app: FastAPI | None = None
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self.history: asyncio.Task[None] | None = None  # the simulator's history, landing

    async def ready(self) -> None:
        """Once the simulator's history is in (at once if it already is)."""
        if self.history is not None:
            await self.history

    @property
    def app(self) -> FastAPI:
        assert self._app is not None, "the hub is down"
        return self._app

    async def start(self) -> None:
        self._app = create_app(self.settings, database=self.database)
        config = uvicorn.Config(
            self._app, host="127.0.0.1", port=self.port, log_config=None, lifespan="off",
            **UVICORN_WEBSOCKET,
        )  # fmt: skip
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert not self._task.done(), "the hub did not start (port taken?)"
            assert time.monotonic() < deadline, "the hub did not start within 10 s"
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Go down as a crashed process would: open streams are cut, not drained."""
        server, task = self._server, self._task
        if server is None or task is None:
            return
        server.should_exit = True
        server.force_exit = True  # do not wait for event streams, which never end by themselves
        await task
        for connection in list(server.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.close()
        self._app = self._server = self._task = None

    async def admin(self) -> httpx.AsyncClient:
        """An HTTP client of the hub as a city-wide admin (clients:manage)."""
        token = await mint_token(self.app, client_id="phc_screen_admin")
        return httpx.AsyncClient(
            base_url=self.base, headers={"Authorization": f"Bearer {token}"}, timeout=10
        )

    async def approve(self, user_code: str, area: str) -> str:
        """Approve a screen's user code for `area` with the default scopes; its screen id."""
        async with await self.admin() as client:
            answer = await client.post(
                "/v1/admin/screens", json={"user_code": user_code, "area": area}
            )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["screen_id"])

    async def revoke(self, screen_id: str) -> None:
        async with await self.admin() as client:
            answer = await client.post(f"/v1/admin/screens/{screen_id}/revoke")
        assert answer.status_code == 200, answer.text

    async def board(self, area: str) -> dict[str, Any]:
        async with await self.admin() as client:
            answer = await client.get("/v1/board", params={"area": area})
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    async def jurisdiction(self, code: str) -> dict[str, Any]:
        async with await self.admin() as client:
            answer = await client.get(f"/v1/jurisdictions/{code}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def operator(
        self, *, deadline: float, attempts: int = 1, clock: Callable[[], datetime] = utc_now
    ) -> TcecClient:
        """The State Grid operator's T/CEC client toward this hub, with the simulator's demo
        credentials."""
        inbound = DEMO_CREDENTIALS.inbound
        return TcecClient(
            base_url=f"{self.base}/evcs/v1/",
            operator_id=DEMO_CREDENTIALS.operator_id,
            secrets=inbound.secrets,
            operator_secret=inbound.operator_secret,
            limits=ClientLimits(attempts=attempts, deadline=deadline),
            clock=clock,
        )

    async def push_status(self, connector_id: str, code: int) -> None:
        """The State Grid operator pushes one connector status over T/CEC (sealed and signed
        with the simulator's demo credentials, through the same client the simulator uses)."""
        async with self.operator(deadline=10) as client:
            answer = await client.notify(
                STATUS_INTERFACE,
                {"ConnectorStatusInfo": {"ConnectorID": connector_id, "Status": code}},
            )
        assert isinstance(answer, dict), answer
        assert answer.get("Status") == 0, answer


async def demo_database(directory: Path) -> Database:
    """A migrated SQLite file with the Beixinjing demo; the statuses are synthetic, in every
    colour, until a test pushes its own."""
    database = Database(f"sqlite+aiosqlite:///{directory / 'screen.db'}")
    await upgrade(database.engine)
    return database


async def seed(database: Database, settings: Settings) -> None:
    async with database.session(write=True) as session:
        await seed_demo(session, settings, statuses=False)  # the simulator's come next
        await operators_service.onboard_operator(
            session,
            SecretVault(settings.secret_key.get_secret_value()),
            OperatorOnboard.model_validate(
                {
                    "operator_id": DEMO_CREDENTIALS.operator_id,
                    "name": STATE_GRID_NAME,
                    # Nothing pulls in these tests (no worker runs): the hub only receives.
                    "base_url": "http://127.0.0.1:9/evcs/v1/",
                    **onboarding_document(),
                }
            ),
        )


async def push_history(hub: ScreenHub) -> None:
    """What the demo's simulator pushes when it starts, for Beixinjing and `HISTORY_DAYS`:
    its status history and charge orders, ending a few minutes ago."""
    origin = utc_now().replace(microsecond=0) - timedelta(minutes=5)
    model = FleetModel(
        seed=SIMULATOR_SEED,
        catalogue=[(c, s) for c, s in demo_catalogue(SIMULATOR_SEED) if c.street == BEIXINJING],
        epoch=origin - timedelta(days=HISTORY_DAYS + 3),
        liveliness=DEMO_LIVELINESS,
    )
    orders = model.backfill(days=HISTORY_DAYS, end=origin)
    state = SimulatorState(model=model, clock=SimClock(origin=origin, speed=1.0))
    # Retried as the simulator retries: under load a pooled connection the hub had closed
    # failed once with a ReadError and failed the module's setup; a push resent is recorded
    # once.
    async with hub.operator(deadline=30, attempts=3, clock=state.clock.stamp) as client:
        await Pusher(state, client, retry_interval=0).push_initial(orders)
    assert not state.pending, "the hub refused part of the simulator's history"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def hub(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ScreenHub]:
    port = free_port()
    database = await demo_database(tmp_path_factory.mktemp("screen-hub"))
    settings = Settings(
        database_url=database.url,
        access_log=False,
        log_level="WARNING",
        snapshot_max_age=timedelta(0),
        issuer=f"http://127.0.0.1:{port}",
        sse_heartbeat=HEARTBEAT,
        auth_refresh_interval=AUTH_REFRESH,
    )
    await seed(database, settings)
    served = ScreenHub(settings, database, port)
    await served.start()
    served.history = asyncio.create_task(push_history(served))
    try:
        yield served
    finally:
        if not served.history.done():
            served.history.cancel()
        await asyncio.gather(served.history, return_exceptions=True)
        await served.stop()
        await database.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def chromium() -> AsyncIterator[Browser]:
    path = require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(path), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            await browser.close()


@dataclass
class Screen:
    """One signed-in screen: a browser context of its own (its own localStorage, so its own
    refresh token) with one page, and what the page did that it should not have."""

    page: Page
    screen_id: str
    area: str
    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No uncaught script error or CSP violation, and nothing requested from anywhere
        but the hub (isolated networks: no CDN, no online tiles or fonts)."""
        assert self.errors == [], self.errors
        assert self.foreign == [], self.foreign

    async def live(self, within_ms: float = 10_000) -> None:
        await expect(self.page.locator("#conn")).to_have_attribute(
            "data-state", "live", timeout=within_ms
        )


async def open_screen(browser: Browser, hub: ScreenHub, area: str) -> tuple[Screen, str]:
    """`/screen` in a fresh context (its own localStorage, so its own refresh token), up to
    the user code it shows; the screen (not yet approved) and the code."""
    context = await browser.new_context(viewport=WALL, locale="zh-CN")
    page = await context.new_page()
    screen = Screen(page=page, screen_id="", area=area)
    page.on("pageerror", lambda error: screen.errors.append(str(error)))
    page.on(  # the strict CSP refusing something the page tried is a bug of the page
        "console",
        lambda message: (
            screen.errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith((hub.base, "data:", "blob:"))
            else screen.foreign.append(request.url)
        ),
    )  # fmt: skip
    await page.goto(f"{hub.base}/screen")
    await expect(page.locator("#conn")).to_have_attribute("data-state", "signing-in")
    code = page.locator("#user-code")
    await expect(code).to_have_text(USER_CODE)
    return screen, (await code.inner_text()).strip()


async def approve(hub: ScreenHub, screen: Screen, user_code: str) -> Screen:
    """Approve the screen's code for its area, as an admin would, and wait until it is live."""
    screen.screen_id = await hub.approve(user_code, screen.area)
    await screen.live(within_ms=SIGN_IN_WITHIN_MS)
    return screen


async def sign_in(browser: Browser, hub: ScreenHub, area: str) -> Screen:
    """A screen of `area`, signed in through the device flow and live."""
    return await approve(hub, *await open_screen(browser, hub, area))


async def count_value(page: Page, colour: str) -> int:
    text = await page.locator(f'[data-count="{colour}"] .count-value').inner_text()
    return int(text.strip())


async def pile_colours(page: Page) -> dict[int, str]:
    """`{pile id: data-colour}` of every pile tile on the page."""
    pairs: list[list[str]] = await page.locator("[data-pile]").evaluate_all(
        "tiles => tiles.map(t => [t.dataset.pile, t.dataset.colour])"
    )
    return {int(pile): colour for pile, colour in pairs}


async def screenshot(page: Page, name: str, directory: Path) -> list[Path]:
    """Save the page's viewport as `name` in `directory`, and in $PILEHUB_SCREENSHOTS_DIR
    too when it is set (`docs/screenshots` refreshes the README's pictures)."""
    targets = [directory / name]
    extra = os.environ.get("PILEHUB_SCREENSHOTS_DIR")
    if extra:
        targets.append(Path(extra) / name)
    image = await page.screenshot(animations="disabled")
    for target in targets:  # a few hundred kB on a local disk: not worth a thread
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(image)
    return targets
