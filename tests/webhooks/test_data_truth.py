"""Issue 15, "Data truth": one instant and one cause per colour, on every channel.

A colour is since the operator time of the report that gave it (or the rule's instant for
the rules time alone applies); an alert opens, escalates and resolves at those instants and
says why the pile is yellow or red. The board, the map, the pile list, the events, the
alerts, GraphQL, the webhooks and the robots all say the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from standardwebhooks import Webhook

from app.core.config import ColourRules
from app.core.db import Database
from app.models import ChangeEvent
from app.status import service as status_service
from app.webhooks.dispatcher import Dispatcher
from tests.alerts.helpers import record
from tests.graphql.helpers import gql
from tests.status.helpers import T0, new_pile, report
from tests.webhooks.conftest import FakeClock
from tests.webhooks.helpers import COMMUNITY, WECOM_OK, content, robot, run_until_quiet, subscribe
from tests.webhooks.receiver import Receiver, serving

pytestmark = pytest.mark.asyncio(loop_scope="session")
RULES = ColourRules()
STREET = "310105011"

VIEWS = """
query Views($street: AreaCode!) {
  board(area: $street) { piles { nodes { colour colourSince colourCause } } }
  piles(area: $street) { nodes { colour colourSince colourCause } }
  alerts(area: $street) { nodes { cause severity openedAt escalatedAt resolvedAt } }
}
"""


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def events(database: Database, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    async with database.session() as session:
        rows = await session.exec(
            select(ChangeEvent.kind, ChangeEvent.payload)
            .where(col(ChangeEvent.kind).startswith(prefix))
            .order_by(col(ChangeEvent.id))
        )
        return [(kind, dict(payload or {})) for kind, payload in rows.all()]


async def pile_views(client: httpx.AsyncClient) -> list[tuple[str, datetime, str | None]]:
    """(colour, since, cause) of the one pile as the board, the map, the pile list and
    GraphQL's board and pile list show it."""
    board = (await client.get("/v1/board", params={"area": STREET})).json()["piles"]
    features = (await client.get("/v1/map", params={"area": STREET})).json()["features"]
    listed = (await client.get("/v1/piles", params={"area": STREET})).json()["items"]
    answer = await gql(client, VIEWS, {"street": STREET})
    assert "errors" not in answer, answer
    graph = [answer["data"]["board"]["piles"]["nodes"], answer["data"]["piles"]["nodes"]]
    shown = [(p["colour"], instant(p["colour_since"]), p["colour_cause"]) for p in board + listed]
    shown += [
        (f["properties"]["colour"], instant(f["properties"]["colour_since"]),
         f["properties"]["colour_cause"])
        for f in features
    ]  # fmt: skip
    shown += [
        (p["colour"].lower(), instant(p["colourSince"]),
         p["colourCause"].lower().replace("_", "-") if p["colourCause"] else None)
        for nodes in graph for p in nodes
    ]  # fmt: skip
    assert len(shown) == 5
    return shown


async def alert_views(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """The one alert as REST and GraphQL give it, in REST's spelling."""
    (rest,) = (await client.get("/v1/alerts")).json()["items"]
    answer = await gql(client, VIEWS, {"street": STREET})
    (graph,) = answer["data"]["alerts"]["nodes"]
    keys = ("opened_at", "escalated_at", "resolved_at")
    views = []
    for cause, severity, times in (
        (rest["cause"], rest["severity"], [rest[k] for k in keys]),
        (graph["cause"].lower().replace("_", "-"), graph["severity"],
         [graph["openedAt"], graph["escalatedAt"], graph["resolvedAt"]]),
    ):  # fmt: skip
        views.append(
            {"cause": cause, "severity": severity}
            | {k: instant(t) if t else None for k, t in zip(keys, times, strict=True)}
        )
    return views


def robot_texts(receiver: Receiver) -> list[str]:
    return [content(request) for request in receiver.requests]


def says(texts: Sequence[str], *fragments: str) -> bool:
    return any(all(fragment in text for fragment in fragments) for text in texts)


async def test_since_is_the_operator_time_of_the_report_on_every_channel(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    """The demo's case: reports replayed from the morning reach a pile registered just now
    (the registration is the pile's first since, later than all of them). A connector
    faults at 08:14 UTC (16:14 Beijing) and is back at 08:20 while the other charges on."""
    idle, busy = await new_pile(database, connectors=2)
    receiver = Receiver(answer=lambda _request: WECOM_OK)
    async with serving(receiver) as base:
        await robot(client, base, alert_kinds=["alert.*"])
        await record(database, report(idle, 1), report(busy, 3))
        await record(database, report(busy, 3, minutes=10))  # still charging: no change
        await record(database, report(idle, 255, minutes=14))
        assert await pile_views(client) == [("yellow", at(14), "fault")] * 5
        await record(database, report(idle, 1, minutes=20))
        assert await pile_views(client) == [("green", at(20), None)] * 5
        await run_until_quiet(dispatcher, database, clock)

    colours = [(p["colour"], instant(p["since"])) for _, p in await events(database, "pile.")]
    assert colours == [("green", at(0)), ("yellow", at(14)), ("green", at(20))]
    alert = {"cause": "fault", "severity": "yellow", "opened_at": at(14),
             "escalated_at": None, "resolved_at": at(20)}  # fmt: skip
    assert await alert_views(client) == [alert, alert]
    changes = [(kind, instant(p["since"])) for kind, p in await events(database, "alert.")]
    assert changes == [("alert.opened", at(14)), ("alert.resolved", at(20))]
    texts = robot_texts(receiver)
    assert says(texts, "告警 opened", "2026-11-01 16:14:00 北京时间")
    assert says(texts, "已解决 resolved", "2026-11-01 16:20:00 北京时间")


async def test_a_time_rule_dates_the_colour_and_the_alert_from_the_rules_instant(
    client: httpx.AsyncClient, database: Database
) -> None:
    """Offline at 08:05: yellow at 08:15 (the grace ran out), whenever the sweep notices."""
    (cid,) = await new_pile(database)
    await record(database, report(cid, 1), report(cid, 0, minutes=5))
    async with database.session(write=True) as session:
        await status_service.sweep_colours(session, rules=RULES, now=at(17.5))
    assert await pile_views(client) == [("yellow", at(15), "offline")] * 5
    (view, _) = await alert_views(client)
    assert (view["opened_at"], view["cause"]) == (at(15), "offline")


async def test_offline_is_its_own_cause_not_a_fault_on_every_channel(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    """T/CEC code 0 beyond the grace is a communications problem: the alert, its events, the
    webhook and the robot say offline (离线), never fault (故障)."""
    (cid,) = await new_pile(database)
    hooks, robots = Receiver(), Receiver(answer=lambda _request: WECOM_OK)
    async with serving(hooks) as hook_base, serving(robots) as robot_base:
        hook = await subscribe(client, f"{hook_base}/hook", ["alert.*", "pile.colour"],
                               area=COMMUNITY)  # fmt: skip
        await robot(client, robot_base)
        await record(database, report(cid, 1), report(cid, 0, minutes=5))
        async with database.session(write=True) as session:
            await status_service.sweep_colours(session, rules=RULES, now=at(16))
        await run_until_quiet(dispatcher, database, clock)

    (rest, graph) = await alert_views(client)
    assert rest["cause"] == graph["cause"] == "offline"
    logged = {kind: payload["cause"] for kind, payload in await events(database, "alert.")}
    assert logged == {"alert.opened": "offline"}
    colours = [p["cause"] for kind, p in await events(database, "pile.") if p["colour"] != "green"]
    assert colours == ["offline"]
    delivered = [Webhook(hook["secret"]).verify(r.body, r.headers) for r in hooks.requests]
    assert {d["type"]: d["data"]["payload"]["cause"] for d in delivered} == {
        "pile.colour": "offline",
        "alert.opened": "offline",
    }
    (text,) = robot_texts(robots)
    assert "离线 (通信中断)" in text
    assert "故障" not in text


async def test_an_escalation_changes_the_cause_and_says_so(
    client: httpx.AsyncClient, database: Database, dispatcher: Dispatcher, clock: FakeClock
) -> None:
    """A fault (yellow) still open after 24 h is a long fault (red) from fault + 24 h."""
    (cid,) = await new_pile(database)
    receiver = Receiver(answer=lambda _request: WECOM_OK)
    async with serving(receiver) as base:
        await robot(client, base)
        await record(database, report(cid, 255, minutes=2))
        async with database.session(write=True) as session:
            await status_service.sweep_colours(session, rules=RULES, now=at(25 * 60))
        await run_until_quiet(dispatcher, database, clock)
    red = at(2 + 24 * 60)
    assert await pile_views(client) == [("red", red, "long-fault")] * 5
    view = {"cause": "long-fault", "severity": "red", "opened_at": at(2),
            "escalated_at": red, "resolved_at": None}  # fmt: skip
    assert await alert_views(client) == [view, view]
    logged = [(k, p["cause"], p["previous_cause"]) for k, p in await events(database, "alert.")]
    assert logged == [("alert.opened", "fault", None), ("alert.escalated", "long-fault", "fault")]
    texts = robot_texts(receiver)
    assert says(texts, "告警 opened", "原因 故障", "2026-11-01 16:02:00 北京时间")
    assert says(texts, "升级 escalated", "原因 故障 → 长时间故障", "2026-11-02 16:02:00 北京时间")


async def test_repeated_faults_and_maintenance_are_causes_too(
    client: httpx.AsyncClient, database: Database
) -> None:
    (cid,) = await new_pile(database)
    await record(database, report(cid, 255), report(cid, 1, minutes=1),
                 report(cid, 255, minutes=2), report(cid, 1, minutes=3))  # fmt: skip
    await record(database, report(cid, 255, minutes=4))  # the third fault: red at once
    assert await pile_views(client) == [("red", at(4), "repeated-fault")] * 5
    pile_id = (await client.get("/v1/piles")).json()["items"][0]["id"]
    flagged = await client.post(f"/v1/piles/{pile_id}/maintenance", json={"flagged": True})
    assert flagged.status_code == 204
    # Still red, and since the third fault; the cause is now the staff's flag.
    assert await pile_views(client) == [("red", at(4), "maintenance")] * 5
    (view, _) = await alert_views(client)
    assert view["cause"] == "maintenance"
    await client.post(f"/v1/piles/{pile_id}/maintenance", json={"flagged": False})
    # Cleared by the hub's clock, weeks after these reports: the fault is a long one now.
    assert await pile_views(client) == [("red", at(4), "long-fault")] * 5
