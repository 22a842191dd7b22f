"""The demo seed and the `pilehub` commands, as a user runs them (real processes, real HTTP)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from app.core.config import Settings
from app.core.db import Database
from app.demo.seed import SYNTHETIC_SOURCE, seed_demo
from app.models import ChangeEvent, ConnectorStatus, Jurisdiction, Pile, StatusChange

PILEHUB = str(Path(sys.executable).with_name("pilehub"))


@pytest.mark.asyncio
async def test_demo_seed_is_idempotent_and_labels_synthetic_data(
    demo: Database, settings: Settings
) -> None:
    async def snapshot() -> tuple[int, ...]:
        async with demo.session() as session:
            counts = []
            for model in (Jurisdiction, Pile, StatusChange, ChangeEvent):
                counts.append((await session.exec(select(func.count()).select_from(model))).one())
            return tuple(counts)

    before = await snapshot()
    async with demo.session(write=True) as session:
        await seed_demo(session, settings)
    assert await snapshot() == before[:3] + (before[3] + 8,)  # one registry event per station
    async with demo.session() as session:
        sources = set((await session.exec(select(ConnectorStatus.source))).all())
    assert sources == {SYNTHETIC_SOURCE}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_demo_then_serve_over_real_http(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PILEHUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "PILEHUB_LOG_LEVEL": "WARNING",
        "PILEHUB_DEMO_CLIENTS_FILE": str(tmp_path / "demo-clients.json"),
    }
    seeded = subprocess.run(
        [PILEHUB, "demo", "--no-serve"], env=env, capture_output=True, text=True, timeout=120
    )
    assert seeded.returncode == 0, seeded.stderr
    assert "新泾三村" in seeded.stdout
    assert "/v1/board?area=310105011" in seeded.stdout

    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [PILEHUB, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        assert httpx.get(f"{base}/v1/board", timeout=5).status_code == 401
        clients = {c["tier"]: c for c in json.loads((tmp_path / "demo-clients.json").read_text())}
        assert set(clients) == {"city", "district", "street", "vendor"}
        assert clients["district"]["area"] == "310105"
        city = clients["city"]
        grant = httpx.post(
            f"{base}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(city["client_id"], city["client_secret"]),
            timeout=5,
        )
        assert grant.status_code == 200, grant.text
        headers = {"Authorization": f"Bearer {grant.json()['access_token']}"}
        board = httpx.get(
            f"{base}/v1/board", params={"area": "310105011"}, headers=headers, timeout=5
        ).json()
        assert board["area"]["counts"]["total"] == 17
        assert [c["counts"]["total"] for c in board["children"]] == [8, 3, 6]
        features = httpx.get(f"{base}/v1/map", headers=headers, timeout=5).json()["features"]
        assert len(features) == 17 + 22

        # Each demo client sees its own area and nothing outside it.
        everywhere = {"310000", "310105", "310105011", "310104", "310105010"}
        sees = {
            "city": everywhere,
            "district": {"310105", "310105011", "310105010"},
            "street": {"310105011"},
            "vendor": everywhere,
        }  # the vendor is city-wide
        for tier, visible in sees.items():
            creds = clients[tier]
            token = httpx.post(
                f"{base}/oauth/token", data={"grant_type": "client_credentials"},
                auth=(creds["client_id"], creds["client_secret"]), timeout=5,
            ).json()["access_token"]  # fmt: skip
            bearer = {"Authorization": f"Bearer {token}"}
            for area in sorted(everywhere):
                found = httpx.get(f"{base}/v1/jurisdictions/{area}", headers=bearer, timeout=5)
                assert found.status_code == (200 if area in visible else 404), (tier, area)
            board = httpx.get(f"{base}/v1/board", headers=bearer, timeout=5)
            # The vendors' data contract: no per-pile answers (README).
            assert board.status_code == (403 if tier == "vendor" else 200), tier
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
