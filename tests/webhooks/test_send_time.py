"""Checks made again at send time: DNS rebinding (a name public at registration that now
resolves inside) is never contacted, and the connection goes to the vetted address. And the
change log's id gaps on PostgreSQL: a late commit is waited for, a rollback is not forever."""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import timedelta

import httpx
import pytest

from app.auth.principal import city_principal
from app.changelog import repository as events_repository
from app.core.config import Settings
from app.core.db import Database
from app.core.vault import SecretVault
from app.webhooks import service
from app.webhooks.dispatcher import Dispatcher
from app.webhooks.errors import UnsafeTargetURL
from app.webhooks.schemas import WebhookCreate
from app.webhooks.ssrf import IPAddress
from tests.webhooks.conftest import FakeClock
from tests.webhooks.helpers import (
    COMMUNITY_PATH,
    deliveries,
    hierarchy,
    log_events,
    run_until_quiet,
    subscribe,
)
from tests.webhooks.receiver import Receiver, serving

pytestmark = pytest.mark.asyncio(loop_scope="session")
PUBLIC = ipaddress.ip_address("93.184.216.34")
HOOK = WebhookCreate(url="https://hooks.example.com/pilehub", event_kinds=["pile.colour"])


async def _public(_host: str, _port: int) -> tuple[IPAddress, ...]:
    return (PUBLIC,)


@pytest.mark.parametrize(
    ("inside", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("10.1.2.3", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("100.100.100.200", "shared"),
    ],  # fmt: skip
)
async def test_a_name_rebound_inside_after_registration_is_never_contacted(
    database: Database, settings: Settings, clock: FakeClock, inside: str, why: str
) -> None:
    await hierarchy(database)
    strict = settings.model_copy(
        update={"webhooks": settings.webhooks.model_copy(update={"allowed_networks": []})}
    )
    vault = SecretVault(settings.secret_key.get_secret_value())
    principal = city_principal("310000")

    async def rebound(_host: str, _port: int) -> tuple[IPAddress, ...]:
        return (ipaddress.ip_address(inside),)

    async with database.session(write=True) as session:
        await service.create_webhook(session, principal, vault, strict.webhooks, HOOK,
                                     resolve=_public)  # fmt: skip
        with pytest.raises(UnsafeTargetURL):  # refused at registration once it resolves inside
            await service.create_webhook(session, principal, vault, strict.webhooks, HOOK,
                                         resolve=rebound)  # fmt: skip
    sent: list[httpx.Request] = []

    def network(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    transport = httpx.MockTransport(network)
    await log_events(database, 1)
    dispatcher = Dispatcher(database, strict, clock=clock, resolve=rebound, transport=transport)
    try:
        await dispatcher.run_once()
    finally:
        await dispatcher.aclose()
    assert sent == []  # no connection to the inside address
    (row,) = await deliveries(database)
    assert row.state == "pending"
    assert row.last_error is not None
    assert row.last_error.startswith("unsafe target")
    assert why in row.last_error

    # When the name is public again, the request goes to the address that was checked, with
    # the name as Host and as the TLS server name.
    clock.advance(timedelta(minutes=1))
    dispatcher = Dispatcher(database, strict, clock=clock, resolve=_public, transport=transport)
    try:
        await dispatcher.run_once()
    finally:
        await dispatcher.aclose()
    (request,) = sent
    assert request.url.host == str(PUBLIC)
    assert request.headers["host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"
    assert (await deliveries(database))[0].state == "delivered"


async def test_an_id_committed_late_is_waited_for_and_a_rolled_back_one_is_not(
    client: httpx.AsyncClient, database: Database, settings: Settings, clock: FakeClock
) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has one writer at a time: its ids commit in order")
    await hierarchy(database)
    hooks = settings.webhooks.model_copy(update={"gap_timeout": timedelta(seconds=0.5)})
    dispatcher = Dispatcher(database, settings.model_copy(update={"webhooks": hooks}),
                            clock=clock)  # fmt: skip
    receiver = Receiver()
    row = {"kind": "pile.colour", "area_path": COMMUNITY_PATH, "subject": "pile:1",
           "payload": {}, "occurred_at": clock()}  # fmt: skip
    try:
        async with serving(receiver) as base:
            await subscribe(client, f"{base}/hook")
            async with database.session(write=True) as slow:
                await events_repository.insert(slow, [row])  # takes an id, commits last
                (late,) = await log_events(database, 1, subject="pile:1")  # in order after it
                await dispatcher.run_once()
                assert receiver.ids() == []  # the earlier id may still commit: wait
            await run_until_quiet(dispatcher, database, clock)
            assert receiver.ids() == [f"evt_{late - 1}", f"evt_{late}"]

            async with database.session(write=True) as doomed:
                await events_repository.insert(doomed, [row])
                await doomed.rollback()  # its id is a gap for good
            (after,) = await log_events(database, 1)
            await dispatcher.run_once()
            assert receiver.ids()[2:] == []
            await asyncio.sleep(0.6)  # past the gap timeout
            await run_until_quiet(dispatcher, database, clock)
            assert receiver.ids()[2:] == [f"evt_{after}"]
    finally:
        await dispatcher.aclose()
