"""Server-sent events from several API processes: `pilehub serve --workers 2` on the test's
database. Every subscriber of an area gets every event of that area exactly once, in order,
and nothing outside it, whichever worker serves it (on PostgreSQL woken by NOTIFY, on
SQLite by polling)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from app.auth.scopes import Tier
from app.core.db import Database
from app.models import ChangeEvent
from tests.alerts.helpers import record
from tests.auth.helpers import register
from tests.events.helpers import piles_in_two_streets, read_events
from tests.fixtures.serving import free_port
from tests.status.helpers import report

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.slow]
PILEHUB = str(Path(sys.executable).with_name("pilehub"))
SUBSCRIBERS = 6


async def test_every_subscriber_of_two_workers_gets_every_area_event_once_in_order(
    database: Database, tmp_path: Path
) -> None:
    beixinjing, xinjing = await piles_in_two_streets(database)
    client_id, secret = await register(database, tier=Tier.STREET, area="310105011")
    assert secret is not None
    port = free_port()
    env = {**os.environ, "PILEHUB_DATABASE_URL": database.url, "PILEHUB_LOG_LEVEL": "WARNING"}
    log = (tmp_path / "serve.log").open("wb")
    server = await asyncio.create_subprocess_exec(
        PILEHUB, "serve", "--port", str(port), "--workers", "2",
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            # Two workers importing the app at once: half a minute on a busy 2-core machine.
            deadline = time.monotonic() + 90
            while True:
                try:
                    if (await client.get(f"{base}/readyz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
                await asyncio.sleep(0.2)
            grant = await client.post(f"{base}/oauth/token", auth=(client_id, secret),
                                      data={"grant_type": "client_credentials"})  # fmt: skip
            assert grant.status_code == 200, grant.text
            token = grant.json()["access_token"]
        async with database.session() as session:
            start = (await session.exec(select(func.max(ChangeEvent.id)))).one() or 0

        for minute in range(6):  # both streets fail and recover, alternately
            code = 255 if minute % 2 == 0 else 1
            await record(database, report(beixinjing, code, minutes=minute),
                         report(xinjing, code, minutes=minute))  # fmt: skip
        async with database.session() as session:
            expected = list(
                (await session.exec(
                    select(ChangeEvent.id).where(
                        col(ChangeEvent.id) > start,
                        col(ChangeEvent.area_path).startswith("310000/310105/310105011/"),
                    ).order_by(col(ChangeEvent.id))
                )).all()
            )  # fmt: skip
            everything = (await session.exec(
                select(func.count()).select_from(ChangeEvent).where(col(ChangeEvent.id) > start)
            )).one()  # fmt: skip
        assert 0 < len(expected) < everything  # the other street's events exist too

        streams = await asyncio.gather(*(
            read_events(base, token, count=len(expected), path=f"/v1/events?since={start}")
            for _ in range(SUBSCRIBERS)
        ))  # fmt: skip
        for events in streams:
            assert [event["id"] for event in events] == expected
    finally:
        server.terminate()
        await asyncio.wait_for(server.wait(), 15)
        log.close()
