"""`pilehub screens approve / list / revoke` against the test's database, with the screen on
the real endpoints."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from app.core.db import Database
from tests.oauth.helpers import error_of, poll, refresh, start

pytestmark = pytest.mark.asyncio(loop_scope="session")
PILEHUB = str(Path(sys.executable).with_name("pilehub"))


async def pilehub(settings: Settings, *args: str) -> tuple[int, str]:
    env = {**os.environ, "PILEHUB_DATABASE_URL": settings.database_url,
           "PILEHUB_LOG_LEVEL": "WARNING", "COLUMNS": "200"}  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        PILEHUB, *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_approve_list_and_revoke_from_the_command_line(
    settings: Settings, anonymous: httpx.AsyncClient, demo_registry: Database
) -> None:
    started = await start(anonymous)
    code, output = await pilehub(
        settings, "screens", "approve", started["user_code"].lower(), "--area", "310105011",
        "--name", "Beixinjing office",
    )  # fmt: skip
    assert code == 0, output
    screen_id = output.split()[1].rstrip(":")
    assert screen_id.startswith("phs_"), output
    tokens = await poll(anonymous, started["device_code"])
    assert tokens.status_code == 200, tokens.text
    code, listed = await pilehub(settings, "screens", "list")
    assert code == 0, listed
    assert screen_id in listed
    assert "active" in listed
    assert tokens.json()["refresh_token"] not in listed
    code, output = await pilehub(settings, "screens", "revoke", screen_id)
    assert code == 0, output
    refused = await refresh(anonymous, tokens.json()["refresh_token"])
    assert (refused.status_code, error_of(refused)) == (400, "invalid_grant")
    code, output = await pilehub(settings, "screens", "approve", "NOPE-NOPE", "--area", "310000")
    assert code == 2, output
