"""The screen in a real headless Chromium against a real hub over loopback HTTP, with the
Beixinjing demo: what a wall screen shows, live changes, a hub restart, refusals, drill-down,
the language switch, revocation, and the wall and laptop screenshots.

Three screens sign in at once for the module (each device-flow sign-in waits out one 5 s poll
interval): a Beixinjing street screen most tests look at, a Changning district screen for
drill-down, and a second street screen that the revocation test ends.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, expect
from sqlalchemy import func
from sqlmodel import select

from app.catalogue.beixinjing import Facts
from app.models import ChangeEvent
from app.status import service as status_service
from app.status.schemas import StatusReport
from tests.screen.browser import (
    BEIXINJING,
    CHANGNING,
    CHENGJIAQIAO,
    DOM_COLOUR,
    LAPTOP,
    REVOKED_WITHIN_MS,
    WALL,
    Screen,
    ScreenHub,
    approve,
    connectors_of,
    count_value,
    open_screen,
    pile_colours,
    screenshot,
)

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]

COMMUNITY_PILES = {"310105011001": 8, "310105011002": 3, "310105011003": 6}
HAN = re.compile(r"[\u4e00-\u9fff]")
LIVE_CHANGE_WITHIN_S = 2.0
PANELS = ("energy", "utilisation", "guidance", "uptime")


@dataclass
class Screens:
    street: Screen  # Beixinjing, the demo's screen
    district: Screen  # Changning, for drill-down
    doomed: Screen  # another Beixinjing screen, for revocation


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def screens(chromium: Browser, hub: ScreenHub) -> AsyncIterator[Screens]:
    opened = await asyncio.gather(
        open_screen(chromium, hub, BEIXINJING),
        open_screen(chromium, hub, CHANGNING),
        open_screen(chromium, hub, BEIXINJING),
    )
    await hub.ready()  # approved once the history is in: they start on the demo's data
    signed_in = await asyncio.gather(*(approve(hub, screen, code) for screen, code in opened))
    yield Screens(*signed_in)
    for screen in signed_in:
        await screen.page.context.close()


async def green_pile(hub: ScreenHub) -> dict[str, Any]:
    """A Beixinjing pile that is green now, by the board."""
    board = await hub.board(BEIXINJING)
    return dict(next(p for p in board["piles"] if p["colour"] == "green"))


async def test_the_demo_street_shows_its_17_piles_by_community_in_the_boards_colours(
    hub: ScreenHub, screens: Screens
) -> None:
    page = screens.street.page
    await screens.street.live()
    await expect(page.locator("#area-name")).to_have_attribute("data-area", BEIXINJING)
    await expect(page.locator("#area-name")).to_contain_text("北新泾街道")
    await expect(page.locator("[data-pile]")).to_have_count(17)
    communities = await page.locator("[data-pile]").evaluate_all(
        "tiles => tiles.map(t => t.dataset.community)"
    )
    assert Counter(communities) == COMMUNITY_PILES

    board = await hub.board(BEIXINJING)
    assert len(board["piles"]) == 17
    assert await pile_colours(page) == {p["id"]: DOM_COLOUR[p["colour"]] for p in board["piles"]}
    counts = board["area"]["counts"]
    for colour, key in DOM_COLOUR.items():
        assert await count_value(page, key) == counts[colour], key
    assert {"green", "yellow", "red"} <= {p["colour"] for p in board["piles"]}  # the seed's three
    for tile in await page.locator("[data-pile]").all():  # every tile dated ("since when")
        assert datetime.fromisoformat(await tile.get_attribute("data-since") or "").tzinfo
    screens.street.assert_clean()


async def test_a_fault_pushed_over_tcec_turns_the_pile_yellow_within_2_s(
    hub: ScreenHub, screens: Screens
) -> None:
    page = screens.street.page
    await screens.street.live()
    pile = await green_pile(hub)
    tile = page.locator(f'[data-pile="{pile["id"]}"]')
    await expect(tile).to_have_attribute("data-colour", "green")
    yellow_before = await count_value(page, "yellow")
    applied_before = await page.evaluate("window.__pilehub.applied")

    started = time.monotonic()
    await hub.push_status(connectors_of(str(pile["equipment_id"]))[0], 255)  # 故障 (fault)
    left = LIVE_CHANGE_WITHIN_S - (time.monotonic() - started)
    await expect(tile).to_have_attribute("data-colour", "yellow", timeout=max(left, 0) * 1000)
    latency = time.monotonic() - started
    assert latency <= LIVE_CHANGE_WITHIN_S, f"push to screen took {latency:.2f} s"

    board = await hub.board(BEIXINJING)
    assert {p["id"]: p["colour"] for p in board["piles"]}[pile["id"]] == "yellow"
    await expect(page.locator('[data-count="yellow"] .count-value')).to_have_text(
        str(yellow_before + 1)
    )
    assert await page.evaluate("window.__pilehub.applied") > applied_before
    # Every event of the push reaches it (the alert it opened comes just after the colour).
    await page.wait_for_function(
        "version => window.__pilehub.lastEventId === version", arg=board["data_version"]
    )
    screens.street.assert_clean()


async def test_a_change_made_while_the_hub_was_down_shows_after_it_comes_back_without_reload(
    hub: ScreenHub, screens: Screens
) -> None:
    page = screens.street.page
    await screens.street.live()
    await page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    pile = await green_pile(hub)
    tile = page.locator(f'[data-pile="{pile["id"]}"]')
    await expect(tile).to_have_attribute("data-colour", "green")

    await hub.stop()
    await expect(page.locator("#conn")).to_have_attribute("data-state", "reconnecting")
    # While the hub is down another of its processes (the worker, another API process) goes
    # on writing: here the status service records a fault straight into the database.
    now = datetime.now(UTC)
    async with hub.database.session(write=True) as session:
        await status_service.record_status_reports(
            session,
            [
                StatusReport(
                    operator_id=Facts.load().operator_id,
                    connector_id=connectors_of(str(pile["equipment_id"]))[0],
                    code=255,
                    observed_at=now,
                    received_at=now,
                )
            ],
            rules=hub.settings.colour,
            now=now,
        )
    async with hub.database.session() as session:
        change = (await session.exec(select(func.max(ChangeEvent.id)))).one()
    await expect(tile).to_have_attribute("data-colour", "green")  # nothing to read it from yet

    await hub.start()
    await screens.street.live(within_ms=15_000)
    await expect(tile).to_have_attribute("data-colour", "yellow")
    assert await page.evaluate("window.__sameDocument") is True
    assert await page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert await page.evaluate("window.__pilehub.lastEventId") >= change

    # And the new stream is live: a repair pushed now shows too.
    await hub.push_status(connectors_of(str(pile["equipment_id"]))[0], 1)
    await expect(tile).to_have_attribute("data-colour", "green", timeout=2000)
    screens.street.assert_clean()


async def test_a_street_screen_cannot_open_another_street(hub: ScreenHub, screens: Screens) -> None:
    page = screens.street.page
    await page.goto(f"{hub.base}/screen?area={CHENGJIAQIAO}")
    message = page.locator("#message")
    await expect(message).to_be_visible()
    assert (await message.inner_text()).strip()
    await expect(page.locator("[data-pile]")).to_have_count(0)
    assert "程家桥" not in await page.locator("body").inner_text()  # nothing of it leaks

    await page.goto(f"{hub.base}/screen")  # its own street still works (the token refreshed)
    await screens.street.live()
    await expect(page.locator("[data-pile]")).to_have_count(17)
    screens.street.assert_clean()


async def test_drill_down_from_the_district_to_a_community_and_back(
    hub: ScreenHub, screens: Screens
) -> None:
    page = screens.district.page
    await screens.district.live()
    name = page.locator("#area-name")
    await expect(name).to_have_attribute("data-area", CHANGNING)
    streets = {child["code"] for child in (await hub.jurisdiction(CHANGNING))["children"]}
    assert BEIXINJING in streets
    for code in streets:
        await expect(page.locator(f'[data-area-tile="{code}"]')).to_be_visible()
    await expect(page.locator("[data-pile]")).to_have_count(0)  # no piles at district level
    await page.evaluate("window.__sameDocument = true")  # gone if a click loads a new page

    await page.locator(f'[data-area-tile="{BEIXINJING}"]').click()
    await expect(page).to_have_url(re.compile(rf"[?&]area={BEIXINJING}(&|$)"))
    await expect(name).to_have_attribute("data-area", BEIXINJING)
    await expect(page.locator("[data-pile]")).to_have_count(17)

    await page.locator('[data-area-tile="310105011002"]').click()  # 新泾五村, 3 piles
    await expect(page).to_have_url(re.compile(r"[?&]area=310105011002(&|$)"))
    await expect(page.locator("[data-pile]")).to_have_count(3)
    await expect(page.locator('[data-pile][data-community="310105011002"]')).to_have_count(3)

    await page.go_back()
    await expect(name).to_have_attribute("data-area", BEIXINJING)
    await expect(page.locator("[data-pile]")).to_have_count(17)
    await page.go_back()
    await expect(name).to_have_attribute("data-area", CHANGNING)
    await expect(page.locator("[data-pile]")).to_have_count(0)
    assert await page.evaluate("window.__sameDocument") is True  # pushState and popstate only
    await expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    screens.district.assert_clean()


async def test_the_language_switch_goes_to_english_and_back_and_is_remembered(
    hub: ScreenHub, screens: Screens
) -> None:
    page = screens.street.page
    await screens.street.live()
    html, name = page.locator("html"), page.locator("#area-name")
    await expect(html).to_have_attribute("lang", "zh-CN")
    english = (await hub.jurisdiction(BEIXINJING))["name_en"]

    await page.locator("#lang").click()
    await expect(html).to_have_attribute("lang", "en")
    await expect(name).to_contain_text(english)
    labels = [page.locator(f'[data-count="{c}"]') for c in ("green", "yellow", "red", "grey")]
    for label in [*labels, page.locator("#conn")]:
        text = await label.inner_text()
        assert re.search("[A-Za-z]", text), text
        assert not HAN.search(text), text

    await page.reload()  # the choice is remembered
    await screens.street.live()
    await expect(html).to_have_attribute("lang", "en")
    await expect(name).to_contain_text(english)

    await page.locator("#lang").click()
    await expect(html).to_have_attribute("lang", "zh-CN")
    await expect(name).to_contain_text("北新泾街道")
    assert HAN.search(await labels[0].inner_text())
    screens.street.assert_clean()


async def test_a_revoked_screen_stops(hub: ScreenHub, screens: Screens) -> None:
    page = screens.doomed.page
    await screens.doomed.live()
    started = time.monotonic()
    await hub.revoke(screens.doomed.screen_id)
    await expect(page.locator("#conn")).to_have_attribute(
        "data-state", "revoked", timeout=REVOKED_WITHIN_MS
    )
    stopped_after = time.monotonic() - started
    # Stopped for good: a change now does not reach it, and a reload asks for a new code.
    pile = await green_pile(hub)
    await hub.push_status(connectors_of(str(pile["equipment_id"]))[0], 255)
    await expect(screens.street.page.locator(f'[data-pile="{pile["id"]}"]')).to_have_attribute(
        "data-colour", "yellow"
    )
    tile = page.locator(f'[data-pile="{pile["id"]}"]')
    if await tile.count():
        assert await tile.get_attribute("data-colour") != "yellow"
    await page.reload()  # its refresh token is dead: it shows nothing of the area any more
    await expect(page.locator("#conn")).to_have_attribute(
        "data-state", re.compile("^(revoked|signing-in)$")
    )
    await expect(page.locator("[data-pile]")).to_have_count(0)
    assert stopped_after * 1000 <= REVOKED_WITHIN_MS
    screens.doomed.assert_clean()


async def test_the_wall_shows_every_pile_of_the_street_at_once(screens: Screens) -> None:
    """No one scrolls a wall: at 1920×1080 each of the 17 tiles is on screen, not clipped
    away inside a scrolling panel (IntersectionObserver counts what its ancestors clip)."""
    page = screens.street.page
    await screens.street.live()
    await page.set_viewport_size(WALL)
    hidden = []
    for tile in await page.locator("[data-pile]").all():
        try:
            await expect(tile).to_be_in_viewport(ratio=0.95, timeout=500)
        except AssertionError:
            hidden.append(await tile.get_attribute("data-pile"))
    assert hidden == [], f"pile tiles not (wholly) visible on the wall: {hidden}"


async def test_wall_and_laptop_screenshots_of_the_live_street_screen(
    screens: Screens, tmp_path: Path
) -> None:
    page = screens.street.page
    await screens.street.live()
    await expect(page.locator("[data-pile]")).to_have_count(17)
    # Each analytics panel has drawn the demo's data (its `data-state` leaves "loading"; on
    # 16 days of history every one has enough to draw, so "ready", not "empty" or "error").
    for panel in PANELS:
        await expect(page.locator(f"#panel-{panel}")).to_have_attribute(
            "data-state", "ready", timeout=10_000
        )
    await page.evaluate("document.fonts.ready")
    # No focus ring or hover from an earlier test's click in the pictures.
    await page.evaluate("document.activeElement?.blur()")
    await page.mouse.move(0, 0)
    try:
        for size, name in ((WALL, "screen-1920x1080.png"), (LAPTOP, "screen-1366x768.png")):
            await page.set_viewport_size(size)
            # Nothing falls off the side; the wall also fits its height (no one scrolls a wall).
            width, height = await page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            assert width <= size["width"], (name, width)
            if size is WALL:
                assert height <= size["height"], (name, height)
            for target in await screenshot(page, name, tmp_path):
                assert target.stat().st_size > 10_000  # a picture, not a blank page
    finally:
        await page.set_viewport_size(WALL)
    screens.street.assert_clean()
