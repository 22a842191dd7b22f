"""run_simulator end to end on a real port: it serves, it stops, the hub may be away."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import httpx
import pytest

from app.simulator.process import run_simulator

pytestmark = pytest.mark.asyncio


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_serves_until_stopped_while_the_hub_is_down(tmp_path: Path) -> None:
    port, hub_port = free_port(), free_port()
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_simulator(
            hub_url=f"http://127.0.0.1:{hub_port}/evcs/v1/",
            port=port,
            speed=3600,
            backfill_days=1,
            ledger_path=tmp_path / "ledger.jsonl",
            stop=stop,
        )
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(100):
                try:
                    health = await http.get("/healthz")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            assert health.json()["operator_id"] == "MA002TMQX"
            summary = (await http.get("/ledger")).json()
        assert summary["orders_closed"] > 0
        assert summary["history"] is not None
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)
    with pytest.raises(httpx.TransportError):
        async with httpx.AsyncClient() as http:
            await http.get(f"http://127.0.0.1:{port}/healthz")


async def test_a_busy_port_fails_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError, match="in use"):
            await run_simulator(
                hub_url="http://127.0.0.1:9/evcs/v1/",
                port=taken.getsockname()[1],
                backfill_days=0,
            )
