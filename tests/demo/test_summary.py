"""`pilehub demo`'s summary leads with the one URL a person needs: the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from app.core.config import Settings
from app.core.db import Database
from app.demo.process import run_demo

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_the_summary_opens_with_the_screen_url(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    console = Console(record=True, width=200, color_system=None)
    await run_demo(
        settings.model_copy(update={"demo_clients_file": tmp_path / "clients.json"}),
        console, port=8123, serve=False, simulator_port=None,
    )  # fmt: skip
    lines = [line for line in console.export_text().splitlines() if line.strip()]
    assert lines[0].startswith("Screen: http://127.0.0.1:8123/screen ")
    assert "token" not in lines[0].lower()
    assert sum("/screen" in line for line in lines) == 1
