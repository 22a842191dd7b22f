"""The demo's WeCom group robots: one channel per community, all pointing at a small local
receiver that answers like WeCom (`{"errcode":0}`) and prints each message it gets, as the
community's group chat would show it."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
from datetime import timedelta

import orjson
import uvicorn
from rich.console import Console
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from app.auth.principal import city_principal
from app.catalogue.beixinjing import demo_catalogue
from app.core.config import Settings
from app.core.pagination import MAX_LIMIT, PageParams
from app.core.vault import SecretVault
from app.webhooks import service as webhooks_service
from app.webhooks.schemas import ChannelCreate, EndpointKind

LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
_OK = orjson.dumps({"errcode": 0, "errmsg": "ok"})


# The simulator replays 30 days of statuses at start: their alerts are no news for the groups.
DEMO_ROBOT_MAX_AGE = timedelta(hours=1)


def with_local_robots(settings: Settings) -> Settings:
    """The demo's settings: its loopback robot receiver is an allowed webhook target, and
    robots skip alert changes older than an hour when logged (unless configured)."""
    allowed = [*settings.webhooks.allowed_networks, *LOOPBACK]
    max_age = settings.webhooks.robot_max_age or DEMO_ROBOT_MAX_AGE
    webhooks = settings.webhooks.model_copy(
        update={"allowed_networks": allowed, "robot_max_age": max_age}
    )
    return settings.model_copy(update={"webhooks": webhooks})


def robot_url(settings: Settings, port: int, community: str) -> str:
    return f"http://{settings.host}:{port}/cgi-bin/webhook/send?key=demo-{community}"


async def ensure_demo_robots(session: AsyncSession, settings: Settings, port: int) -> int:
    """A robot channel for every demo community that has none; returns how many were added."""
    principal = city_principal(settings.city_code)
    existing = await webhooks_service.list_endpoints(
        session, principal, EndpointKind.WECOM, PageParams(after_id=None, limit=MAX_LIMIT)
    )
    have = {channel.area for channel in existing.items}
    vault = SecretVault(settings.secret_key.get_secret_value())
    added = 0
    for community, _station in demo_catalogue():
        if community.code in have:
            continue
        data = ChannelCreate(
            url=robot_url(settings, port, community.code), area=community.code,
            alert_kinds=["alert.*"], description=f"{community.name} 群机器人 (demo)",
        )  # fmt: skip
        await webhooks_service.create_channel(session, principal, vault, settings.webhooks, data)
        added += 1
    return added


class RobotReceiver:
    """An ASGI app standing in for WeCom: prints each markdown message, answers errcode 0."""

    def __init__(self, console: Console, names: dict[str, str]) -> None:
        self._console, self._names = console, names

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await Request(scope, receive).body()
        key = scope.get("query_string", b"").decode().partition("key=demo-")[2]
        try:
            content = orjson.loads(body)["markdown"]["content"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            content = body.decode(errors="replace")
        self._console.rule(f"WeCom robot · {self._names.get(key, key)}")
        self._console.print(content, markup=False, highlight=False)
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": _OK})


async def run_robot_receiver(
    settings: Settings, port: int, console: Console, stop: asyncio.Event
) -> None:
    """Serve the receiver on loopback until `stop`."""
    names = {community.code: community.name for community, _ in demo_catalogue()}
    server = uvicorn.Server(uvicorn.Config(
        RobotReceiver(console, names), host=settings.host, port=port, log_config=None,
        access_log=False, lifespan="off",
    ))  # fmt: skip
    serving = asyncio.create_task(server.serve(), name="robot-receiver")
    try:
        await stop.wait()
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving
