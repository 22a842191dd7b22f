"""Webhook tests: loopback receivers are allow-listed, requests time out fast, and the
dispatcher runs on a clock the test moves."""

from __future__ import annotations

import ipaddress
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from app.core.config import Settings
from app.core.db import Database
from app.webhooks.dispatcher import Dispatcher

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]


class FakeClock:
    """Now, as the test says: retries scheduled hours ahead happen when it moves there."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@pytest.fixture
def settings(database: Database) -> Settings:
    base = Settings(database_url=database.url, access_log=False, log_level="WARNING",
                    snapshot_max_age=timedelta(0))  # fmt: skip
    hooks = base.webhooks.model_copy(
        update={"allowed_networks": LOOPBACK, "timeout": timedelta(seconds=2)}
    )
    return base.model_copy(update={"webhooks": hooks})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def dispatcher(
    database: Database, settings: Settings, clock: FakeClock
) -> AsyncIterator[Dispatcher]:
    dispatcher = Dispatcher(database, settings, clock=clock, rng=random.Random(7))
    try:
        yield dispatcher
    finally:
        await dispatcher.aclose()
