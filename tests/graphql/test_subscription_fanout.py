"""Fan-out of subscriptions (answers rendered once per event and selection, app.graphql.prerendered)
over real WebSockets: many subscribers of two streets each get exactly their street's events
in order, resume without gaps, an expired token closes only its own socket, and each
selection gets its own shape, the same as strawberry's execution of it."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from app.auth.scopes import Tier
from app.core.config import Settings
from app.core.db import Database
from app.main import create_app
from tests.alerts.helpers import record
from tests.events.helpers import piles_in_two_streets
from tests.fixtures.auth import mint_token
from tests.fixtures.serving import serving
from tests.graphql.helpers import acknowledged, receive, socket, subscribe
from tests.status.helpers import report

pytestmark = pytest.mark.asyncio(loop_scope="session")
PLAIN = "subscription($since: EventId) { statusChanged(since: $since) { eventId kind payload } }"


def changes(messages: list[dict[str, Any]], key: str = "statusChanged") -> list[dict[str, Any]]:
    assert all(m["type"] == "next" for m in messages), messages
    return [m["payload"]["data"][key] for m in messages]


async def subscribed(
    stack: AsyncExitStack, base: str, token: str, count: int, query: str = PLAIN
) -> list[ClientConnection]:
    sockets = [await stack.enter_async_context(socket(base, token)) for _ in range(count)]
    for ws in sockets:
        await acknowledged(ws)
        await subscribe(ws, "1", query)
    return sockets


async def flip(database: Database, connector: str, times: int, start: int = 0) -> None:
    """`times` status changes of the connector (faulted, idle, faulted, ...): each commits a
    connector.status and a pile.colour event."""
    for minute in range(start, start + times):
        await record(database, report(connector, 255 if minute % 2 == 0 else 1, minutes=minute))


async def test_many_subscribers_of_two_streets_get_their_own_events_in_order_and_resume(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database=database)
    beixinjing, chengjiaqiao = await piles_in_two_streets(database)
    street = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_s")
    other = await mint_token(app, tier=Tier.STREET, area="310105010", client_id="phc_o")
    async with serving(app) as base, AsyncExitStack() as stack:
        ours = await subscribed(stack, base, street, 12)
        theirs = await subscribed(stack, base, other, 12)
        await asyncio.sleep(0.3)  # subscribed
        for minute in range(3):  # interleaved: each batch read holds both streets' events
            await flip(database, beixinjing, 1, start=minute)
            await flip(database, chengjiaqiao, 1, start=minute)
        got_ours = [changes(await receive(ws, 6)) for ws in ours]
        got_theirs = [changes(await receive(ws, 6)) for ws in theirs]
        for got, connector in ((got_ours, beixinjing), (got_theirs, chengjiaqiao)):
            assert all(g == got[0] for g in got)  # every subscriber the same events
            assert [e["kind"] for e in got[0]] == ["connector.status", "pile.colour"] * 3
            ids = [e["eventId"] for e in got[0]]
            assert ids == sorted(set(ids))
            statuses = got[0][::2]
            assert {e["payload"]["operator_connector_id"] for e in statuses} == {connector}
        assert not {e["eventId"] for e in got_ours[0]} & {e["eventId"] for e in got_theirs[0]}
        for ws in ours + theirs:  # and nothing more
            with pytest.raises(TimeoutError):
                await receive(ws, 1, within=0.2)
        # One subscriber drops after the third event; the street changes twice meanwhile.
        await ours[0].close()
        seen = got_ours[0][2]["eventId"]
        await flip(database, beixinjing, 2, start=3)
        later = changes(await receive(ours[1], 4))
        async with socket(base, street) as again:
            await acknowledged(again)
            await subscribe(again, "r", PLAIN, since=seen)
            resumed = changes(await receive(again, 7))
        assert resumed == got_ours[1][3:] + later  # no gap, no duplicate


async def test_an_expired_token_closes_its_socket_while_the_others_go_on(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database=database)
    beixinjing, _ = await piles_in_two_streets(database)
    street = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_s")
    async with serving(app) as base, AsyncExitStack() as stack:
        others = await subscribed(stack, base, street, 5)
        # Minted last and given room: on a loaded machine setting up six sockets can take
        # longer than a token that lives two seconds (whole-second `exp` rounds it down too).
        short = await mint_token(
            app, tier=Tier.STREET, area="310105011", client_id="phc_t", lifetime=4
        )
        (expiring,) = await subscribed(stack, base, short, 1)
        await asyncio.sleep(0.3)
        await flip(database, beixinjing, 1)
        first = [changes(await receive(ws, 2)) for ws in [expiring, *others]]
        assert all(got == first[0] for got in first)
        with pytest.raises(ConnectionClosed) as closed:
            await receive(expiring, 1, within=10)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4401
        await flip(database, beixinjing, 1, start=1)
        after = [changes(await receive(ws, 2)) for ws in others]
        assert all(got == after[0] for got in after)
        assert after[0][0]["eventId"] > first[0][-1]["eventId"]


# The same fields: plainly (rendered once, app.graphql.prerendered) and inside a fragment or with
# a directive (executed by strawberry); the answers must be the same, key order included.
RENDERED = ("subscription { changed: statusChanged { id: eventId occurredAt subject payload "
            "__typename kind kind } }")  # fmt: skip
EXECUTED = ("subscription { changed: statusChanged { ... on ChangeEvent { id: eventId "
            "occurredAt subject payload __typename kind } } }")  # fmt: skip
DIRECTIVE = ("subscription { changed: statusChanged { id: eventId occurredAt subject payload "
             "__typename kind @include(if: true) } }")  # fmt: skip
SHORT = "subscription { statusChanged { eventId kind } }"


async def test_each_selection_gets_its_shape_and_rendered_answers_match_strawberry(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database=database)
    beixinjing, _ = await piles_in_two_streets(database)
    street = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_s")
    async with serving(app) as base, AsyncExitStack() as stack:
        rendered = await subscribed(stack, base, street, 3, RENDERED)
        (executed,) = await subscribed(stack, base, street, 1, EXECUTED)
        (directive,) = await subscribed(stack, base, street, 1, DIRECTIVE)
        short = await subscribed(stack, base, street, 2, SHORT)
        await asyncio.sleep(0.3)
        await flip(database, beixinjing, 2)
        by_strawberry = changes(await receive(executed, 4), "changed")
        assert changes(await receive(directive, 4), "changed") == by_strawberry
        for ws in rendered:
            got = changes(await receive(ws, 4), "changed")
            assert got == by_strawberry
            assert [list(e) for e in got] == [list(e) for e in by_strawberry]  # key order
        assert list(by_strawberry[0]) == [
            "id", "occurredAt", "subject", "payload", "__typename", "kind"
        ]  # fmt: skip
        assert by_strawberry[0]["__typename"] == "ChangeEvent"
        for ws in short:
            got = changes(await receive(ws, 4))
            assert got == [{"eventId": e["id"], "kind": e["kind"]} for e in by_strawberry]
    # Two selections rendered once each per event; the fragment and directive were executed.
    answers = app.state.graphql_answers
    for event in by_strawberry:
        assert sorted(answers.selections(event["id"])) == sorted(
            [
                (("id", "eventId"), ("occurredAt", "occurredAt"), ("subject", "subject"),
                 ("payload", "payload"), ("__typename", "__typename"), ("kind", "kind"),
                 ("kind", "kind")),
                (("eventId", "eventId"), ("kind", "kind")),
            ]
        )  # fmt: skip
