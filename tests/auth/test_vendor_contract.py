"""The vendors' data contract (README "Vendors' data contract", app/auth/vendors.py): a vendor
with its default scopes tries every join it can think of between its pseudonymised sessions
and what else the hub serves it, over the real API, and links no pseudonym to a real pile or
connector."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlmodel import select

from app.auth.scopes import TIER_SCOPES, Scope, Tier
from app.auth.vendors import FIELDS
from app.core.config import Settings
from app.core.db import Database
from app.core.time import LOCAL_TZ
from app.graphql.schema import build_schema
from app.models import Connector, Pile
from app.sessions.schemas import ChargeOrderRecord
from app.sessions.service import record_charge_orders
from app.status import service as status_service
from app.status.schemas import StatusReport
from tests.fixtures.auth import mint_token
from tests.fixtures.factories import OPERATOR, create_pile
from tests.graphql.helpers import error_codes, gql
from tests.status.helpers import RULES

in_session_loop = pytest.mark.asyncio(loop_scope="session")

COMMUNITY = "310105011001"
T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
# Per connector: (start, end) offsets in seconds from T0. Each starts within the first
# quarter hour, at an exact second no other session shares: what the vendor matched.
SESSIONS = [
    [(70, 2850), (4000, 5460)],
    [(200, 3120)],
    [(465, 2405), (7300, 9050), (9300, 9999)],
]
ENERGY_WH = [1000, 1200, 1100]  # per session of each connector: distinct daily sums per pile


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def _scenario(database: Database) -> list[str]:
    """Three piles of one community, each with sessions and the statuses that go with them
    (charging at the start, available at the end); returns the T/CEC ConnectorIDs."""
    async with database.session(write=True) as session:
        connectors = [(await create_pile(session, community=COMMUNITY))[0] for _ in SESSIONS]
    reports, orders = [], []
    for connector, sessions, energy in zip(connectors, SESSIONS, ENERGY_WH, strict=True):
        reports.append(_report(connector, 1, at(0) - timedelta(hours=1)))
        for number, (start, end) in enumerate(sessions):
            reports += [_report(connector, 3, at(start)), _report(connector, 1, at(end))]
            orders.append(
                ChargeOrderRecord(
                    operator_id=OPERATOR, start_charge_seq=f"{connector[-6:]}{number}",
                    connector_id=connector, start_at=at(start), end_at=at(end),
                    energy_wh=energy, stop_reason=0,
                )
            )  # fmt: skip
    async with database.session(write=True) as session:
        await status_service.record_status_reports(session, reports, rules=RULES, now=at(10_000))
        await record_charge_orders(session, orders, now=at(10_000))
    return connectors


def _report(connector: str, code: int, moment: datetime) -> StatusReport:
    return StatusReport(
        operator_id=OPERATOR, connector_id=connector, code=code, observed_at=moment,
        received_at=moment + timedelta(seconds=2),
    )  # fmt: skip


async def _real_ids(database: Database) -> tuple[list[int], list[int]]:
    """Every connector and pile id: what a vendor would guess (they are small integers)."""
    async with database.session() as session:
        connectors = list((await session.exec(select(Connector.id))).all())
        piles = list((await session.exec(select(Pile.id))).all())
    return [c for c in connectors if c is not None], [p for p in piles if p is not None]


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def unique_links(candidates: Mapping[str, set[Any]]) -> dict[str, Any]:
    """The pseudonyms that a join narrowed down to exactly one real id."""
    return {key: next(iter(found)) for key, found in candidates.items() if len(found) == 1}


def join_on_history(
    sessions: Iterable[dict[str, Any]], histories: Mapping[int, list[dict[str, Any]]], *, key: str
) -> dict[str, set[int]]:
    """The issue's join: a connector pseudonym (the sessions' `key`) is the real connector
    whose history has a change at every start and end of the pseudonym's sessions."""
    changes = {
        connector: {_instant(change["observed_at"]) for change in history}
        for connector, history in histories.items()
    }
    candidates: dict[str, set[int]] = {}
    for item in sessions:
        times = {_instant(item["start_at"]), _instant(item["end_at"])}
        matching = {connector for connector, seen in changes.items() if times <= seen}
        pseudonym = str(item[key])
        candidates[pseudonym] = candidates.get(pseudonym, matching) & matching
    return candidates


def join_on_daily_energy(
    sessions: Iterable[dict[str, Any]], rows: Iterable[dict[str, Any]]
) -> dict[str, set[int]]:
    """A pile pseudonym is the real pile whose kWh on each local day equals the sum of the
    pseudonym's sessions started that day (energy `group_by=pile`)."""
    by_pseudonym: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for item in sessions:
        day = _instant(item["start_at"]).astimezone(LOCAL_TZ).date().isoformat()
        by_pseudonym[item["pile"]][day] += item["energy_kwh"]
    by_pile: dict[int, dict[str, float]] = defaultdict(dict)
    for row in rows:
        by_pile[row["group"]["pile_id"]][row["bucket"]] = row["energy_kwh"]
    return {
        pseudonym: {
            pile
            for pile, days in by_pile.items()
            if days == {day: round(kwh, 3) for day, kwh in sums.items()}
        }
        for pseudonym, sums in by_pseudonym.items()
    }


async def _get(client: httpx.AsyncClient, url: str) -> httpx.Response:
    # An event stream that opened would never end: give it a moment, then call it a leak.
    try:
        return await asyncio.wait_for(client.get(url), timeout=5)
    except TimeoutError:
        pytest.fail(f"{url} opened a stream for the vendor")


@in_session_loop
async def test_a_vendor_cannot_link_its_pseudonyms_to_real_piles(
    app: FastAPI, anonymous: httpx.AsyncClient, database: Database
) -> None:
    await _scenario(database)
    connector_ids, pile_ids = await _real_ids(database)
    vendor = await mint_token(app, tier=Tier.VENDOR, area="310105", client_id="phc_vendor")
    anonymous.headers["Authorization"] = f"Bearer {vendor}"
    listed = await anonymous.get("/v1/sessions?limit=200")
    assert listed.status_code == 200, listed.text
    sessions = listed.json()["items"]
    assert len(sessions) == sum(map(len, SESSIONS))

    # The join: session start and end against every connector's status history,
    # the ids guessed (small integers) rather than listed.
    histories, answers = {}, []
    for connector in [*connector_ids, max(connector_ids) + 1]:
        answer = await anonymous.get(f"/v1/connectors/{connector}/history?limit=200")
        answers.append(answer.status_code)
        if answer.status_code == 200:
            histories[connector] = answer.json()["items"]
    assert unique_links(join_on_history(sessions, histories, key="connector")) == {}
    assert set(answers) == {403}
    # The control: the same join over staff's sessions (exact times) links every connector.
    street = await mint_token(app, tier=Tier.STREET, area="310105011", client_id="phc_street")
    staff = {"Authorization": f"Bearer {street}"}
    everything = {
        connector: (await anonymous.get(f"/v1/connectors/{connector}/history?limit=200",
                                         headers=staff)).json()["items"]
        for connector in connector_ids
    }  # fmt: skip
    exact = (await anonymous.get("/v1/sessions?limit=200", headers=staff)).json()["items"]
    assert unique_links(join_on_history(exact, everything, key="connector_id")) == {
        str(connector): connector for connector in connector_ids
    }
    # A vendor's times are quarter hours: they match no change of any history exactly.
    assert unique_links(join_on_history(sessions, everything, key="connector")) == {}
    for item in sessions:
        for name in ("start_at", "end_at"):
            moment = datetime.fromisoformat(item[name])
            assert (moment.minute % 15, moment.second, moment.microsecond) == (0, 0, 0)

    # Per-pile daily energy against the sums of the pseudonyms' sessions.
    day = "2026-11-02"
    by_pile = await anonymous.get(f"/v1/energy?group_by=pile&from={day}&to={day}")
    assert by_pile.status_code == 403
    assert by_pile.json()["code"] == "outside-vendor-contract"
    rows = by_pile.json().get("rows", [])
    assert unique_links(join_on_daily_energy(sessions, rows)) == {}
    staff_rows = (await anonymous.get(f"/v1/energy?group_by=pile&from={day}&to={day}",
                                      headers=staff)).json()["rows"]  # fmt: skip
    assert len(unique_links(join_on_daily_energy(sessions, staff_rows))) == len(SESSIONS)

    # Every other answer with real ids and times: refused, whatever the parameters.
    for url in [
        "/v1/piles", f"/v1/piles/{pile_ids[0]}", "/v1/board", "/v1/map", "/v1/events",
        f"/v1/events?area={COMMUNITY}", f"/v1/uptime?from={day}&to={day}",
        f"/v1/utilization?group_by=pile&from={day}&to={day}",
        f"/v1/energy?group_by=community&group_by=pile&from={day}&to={day}",
        f"/v1/energy?group_by=PILE&from={day}&to={day}",
    ]:  # fmt: skip
        refused = await _get(anonymous, url)
        assert refused.status_code == 403, (url, refused.text)

    # Bisecting the `from` bound inside a quarter hour finds no exact start either.
    sizes: set[int] = set()
    for minute in range(1, 16):
        bound = (T0 + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z")
        page = (await anonymous.get("/v1/sessions", params={"from": bound})).json()["items"]
        sizes.add(len(page))
    assert sizes == {sum(map(len, SESSIONS)) - len(SESSIONS)}  # all but the first quarter's
    whole = await anonymous.get("/v1/sessions", params={"from": T0.isoformat()})
    assert len(whole.json()["items"]) == sum(map(len, SESSIONS))

    # What the contract does give: areas and analytics by community.
    for url in [
        f"/v1/jurisdictions/{COMMUNITY}", f"/v1/energy?from={day}&to={day}",
        f"/v1/energy?group_by=community&from={day}&to={day}",
        f"/v1/utilization?group_by=street&from={day}&to={day}",
        f"/v1/guidance/off-peak?from={day}&to={day}", f"/v1/guidance/siting?from={day}&to={day}",
    ]:  # fmt: skip
        assert (await anonymous.get(url)).status_code == 200, url


@in_session_loop
async def test_graphql_gives_vendors_the_same_contract(
    app: FastAPI, anonymous: httpx.AsyncClient, database: Database
) -> None:
    await _scenario(database)
    _, pile_ids = await _real_ids(database)
    vendor = await mint_token(app, tier=Tier.VENDOR, area="310105", client_id="phc_vendor")
    anonymous.headers["Authorization"] = f"Bearer {vendor}"
    days = {"pile": pile_ids[0], "day": "2026-11-02"}
    refused = [
        "pile(id: $pile) { id connectors { nodes { history { nodes { status } } } } }",
        "piles { nodes { id location { lng lat } } }",
        "board { piles { nodes { id colourSince } } }",
        "energy(groupBy: PILE, from: $day, to: $day) { rows { nodes { group { pileId } } } }",
        "utilisation(groupBy: PILE, from: $day, to: $day) { area { code } }",
        "uptime(from: $day, to: $day) { connectors { nodes { pileId } } }",
    ]
    for field in refused:
        answer = await gql(anonymous, _operation(field), days)
        assert not any((answer["data"] or {}).values()), (field, answer)
        assert error_codes(answer), field
        assert set(error_codes(answer)) <= {"insufficient-scope", "outside-vendor-contract"}
    # A vendor registered with status:read before the contract: still refused.
    legacy = await mint_token(app, tier=Tier.VENDOR, area="310105", client_id="phc_vendor",
                              scopes={*TIER_SCOPES[Tier.VENDOR], Scope.STATUS_READ})  # fmt: skip
    anonymous.headers["Authorization"] = f"Bearer {legacy}"
    answer = await gql(anonymous, "{ board { piles { nodes { id colourSince } } } }")
    assert error_codes(answer) == ["outside-vendor-contract"]
    for url in [f"/v1/piles/{pile_ids[0]}", "/v1/board", "/v1/connectors/1/history"]:
        assert (await anonymous.get(url)).json()["code"] == "outside-vendor-contract", url

    anonymous.headers["Authorization"] = f"Bearer {vendor}"
    allowed = await gql(anonymous, _operation(
        f'area(code: "{COMMUNITY}") {{ code children {{ nodes {{ code }} }} }} '
        "energy(from: $day, to: $day) { totals { nodes { group { pileId } energyKwh } } } "
        "offPeakGuidance(from: $day, to: $day) { communities { nodes { piles } } "
        "recommendation { congested { nodes { hours } } room { nodes { community { code } } } "
        "shifts { nodes { __typename } } } } "
        "siting(from: $day, to: $day) { communities { nodes { rank } } }"
    ), {"day": days["day"]})  # fmt: skip
    assert "errors" not in allowed, allowed
    totals = allowed["data"]["energy"]["totals"]["nodes"]
    assert {node["group"]["pileId"] for node in totals} == {None}


def _operation(selection: str) -> str:
    """An operation declaring the variables its selection uses."""
    declared = [f"${name}: {kind}" for name, kind in (("pile", "Int!"), ("day", "Date"))
                if f"${name}" in selection]  # fmt: skip
    return f"query({', '.join(declared)}) {{ {selection} }}" if declared else f"{{ {selection} }}"


def test_every_field_of_the_contract_exists(settings: Settings) -> None:
    """A misspelt entry would refuse vendors a field the contract promises them."""
    type_map = build_schema(settings)._schema.type_map
    missing = [
        name
        for name in FIELDS
        if name.split(".")[1] not in getattr(type_map.get(name.split(".")[0]), "fields", {})
    ]
    assert missing == []
