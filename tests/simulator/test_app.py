"""The simulator's operator side through the real codec: what the hub pulls, and refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
import pytest_asyncio

from app.core.time import LOCAL_TZ
from app.demo.seed import station_record
from app.ingest import mapper
from app.simulator.app import create_simulator_app
from app.simulator.fleet import FleetModel
from app.simulator.ledger import Outcome
from app.simulator.orders import ChargeOrder
from app.simulator.state import SimulatorState
from app.simulator.tokens import TokenStore
from app.tcec.crypto import sign
from app.tcec.errors import FeedProtocolError
from tests.simulator.conftest import REPORT_END, Catalogue
from tests.simulator.helpers import HUB, OUTBOUND, RawHub, hub_client, make_state

pytestmark = pytest.mark.asyncio


@pytest.fixture
def state(backfilled: tuple[FleetModel, list[ChargeOrder]]) -> SimulatorState:
    return make_state(backfilled[0])


@pytest_asyncio.fixture
async def raw(state: SimulatorState) -> AsyncIterator[RawHub]:
    hub = RawHub(state)
    yield hub
    await hub.aclose()


class TestPulls:
    async def test_catalogue_pages_match_the_hubs_registry(
        self, state: SimulatorState, catalogue: Catalogue
    ) -> None:
        async with hub_client(state) as client:
            first = await client.query_stations_info(page_size=3)
            pages = [first] + [
                await client.query_stations_info(page_no=n, page_size=3)
                for n in range(2, first.page_count + 1)
            ]
        assert (first.page_count, first.item_size) == (3, len(catalogue))
        infos = [info for page in pages for info in page.station_infos]
        assert [i.station_id for i in infos] == [r.station_id for _, r in catalogue]
        for info, (_, record) in zip(infos, catalogue, strict=True):
            mapped = mapper.station_record(info, jurisdiction_code=record.jurisdiction_code)
            assert mapped.model_dump(exclude={"synthetic"}) == station_record(record).model_dump(
                exclude={"synthetic"}
            )
            assert info.unknown_keys == ()

    async def test_last_query_time_returns_only_changes(self, state: SimulatorState) -> None:
        async with hub_client(state) as client:
            after = await client.query_stations_info(
                last_query_time=state.catalogue_modified_at + timedelta(seconds=1)
            )
            before = await client.query_stations_info(
                last_query_time=state.catalogue_modified_at - timedelta(days=1), page_size=50
            )
        assert (after.item_size, after.station_infos) == (0, [])
        assert before.item_size == len(before.station_infos) == 8

    async def test_status_matches_the_model(self, state: SimulatorState) -> None:
        expected = {s.connector_id: s.status for s in state.model.statuses()}
        station_ids = sorted({s.station_id for s in state.model.statuses()})
        async with hub_client(state) as client:
            answer = await client.query_station_status([*station_ids, "310105MA002TMQX9999"])
        got = {
            c.connector_id: c.status
            for info in answer.station_status_infos
            for c in info.connector_status_infos
        }
        assert got == expected
        assert {info.station_id for info in answer.station_status_infos} == set(station_ids)

    async def test_more_than_50_stations_is_4004(self, raw: RawHub) -> None:
        token = await raw.login()
        ids = [f"310105MA002TMQX{n:04d}" for n in range(51)]
        ret, _, data = await raw.call("query_station_status", {"StationIDs": ids}, token)
        assert (ret, data) == (4004, None)

    async def test_stats_add_up_to_the_month(
        self, state: SimulatorState, catalogue: Catalogue
    ) -> None:
        first = (REPORT_END - timedelta(days=30)).date()
        last = (REPORT_END - timedelta(days=1)).date()
        async with hub_client(state) as client:
            for community, record in catalogue:
                stats = await client.query_station_stats(record.station_id, first, last)
                total = stats.station_stats.station_electricity
                assert abs(total - community.monthly_kwh) <= Decimal("0.05")
                parts = stats.station_stats.equipment_stats_infos
                assert len(parts) == community.piles
                assert sum(
                    (p.equipment_electricity or 0 for p in parts), Decimal()
                ) == pytest.approx(total, abs=Decimal("0.06"))

    async def test_one_days_stats_are_the_sessions_started_that_day(
        self, state: SimulatorState, backfilled: tuple[FleetModel, list[ChargeOrder]]
    ) -> None:
        _, orders = backfilled
        day = (REPORT_END - timedelta(days=3)).date()
        station = orders[0].station_id
        expected = sum(
            (o.energy_kwh for o in orders if o.station_id == station and o.start.date() == day),
            Decimal(),
        )
        async with hub_client(state) as client:
            stats = await client.query_station_stats(station, day, day)
        assert stats.station_stats.station_electricity == expected.quantize(Decimal("0.1"))
        assert stats.station_stats.start_time == day == stats.station_stats.end_time

    async def test_stats_refuse_unknown_stations_and_reversed_ranges(self, raw: RawHub) -> None:
        token = await raw.login()
        for payload in (
            {
                "StationID": "310105MA002TMQX9999",
                "StartTime": "2022-02-01",
                "EndTime": "2022-02-02",
            },
            {
                "StationID": "310105MA002TMQX0001",
                "StartTime": "2022-02-02",
                "EndTime": "2022-02-01",
            },
            {
                "StationID": "310105MA002TMQX0001",
                "StartTime": "2020-01-01",
                "EndTime": "2022-02-01",
            },
        ):
            ret, _, _ = await raw.call("query_station_stats", payload, token)
            assert ret == 4004


class TestToken:
    async def test_wrong_operator_secret_is_fail_reason_2(self, state: SimulatorState) -> None:
        async with hub_client(state, operator_secret="not-the-secret!!") as client:
            with pytest.raises(FeedProtocolError) as caught:
                await client.query_station_status(["310105MA002TMQX0001"])
        assert caught.value.fail_reason == 2

    async def test_another_operator_in_data_is_fail_reason_1(self, raw: RawHub) -> None:
        payload = {"OperatorID": "MA01U0GU9", "OperatorSecret": OUTBOUND.operator_secret}
        ret, _, data = await raw.call("query_token", payload)
        assert ret == 0
        assert (data["SuccStat"], data["FailReason"], data["AccessToken"]) == (1, 1, "")

    async def test_a_granted_token(self, raw: RawHub) -> None:
        ret, _, data = await raw.call(
            "query_token", {"OperatorID": HUB, "OperatorSecret": OUTBOUND.operator_secret}
        )
        assert (ret, data["SuccStat"], data["FailReason"]) == (0, 0, 0)
        assert data["OperatorID"] == "MA002TMQX"
        assert data["TokenAvailableTime"] == 7200
        assert len(data["AccessToken"]) >= 32


class TestRefusals:
    async def test_bad_signature_is_4001(self, raw: RawHub) -> None:
        token = await raw.login()
        body = raw.envelope({"StationIDs": ["310105MA002TMQX0001"]})
        body["Sig"] = "0" * 32
        answer = await raw.post("query_station_status", body, token)
        assert answer["Ret"] == 4001
        assert answer["Sig"] == sign(OUTBOUND.secrets.sig_secret, "4001", answer["Msg"], "")

    async def test_bad_or_missing_token_is_4002(self, raw: RawHub) -> None:
        await raw.login()
        payload = {"StationIDs": ["310105MA002TMQX0001"]}
        for token in ("forged-token", None):
            ret, msg, data = await raw.call("query_station_status", payload, token)
            assert (ret, data) == (4002, None), msg

    async def test_expired_token_is_4002(self, state: SimulatorState, raw: RawHub) -> None:
        moment = [REPORT_END]
        state.tokens = TokenStore(wall=lambda: moment[0])
        token = await raw.login()
        moment[0] += timedelta(hours=2, seconds=1)
        ret, _, _ = await raw.call("query_station_status", {"StationIDs": ["x"]}, token)
        assert ret == 4002

    async def test_envelope_without_seq_is_4003(self, raw: RawHub) -> None:
        body = raw.envelope({"OperatorID": HUB, "OperatorSecret": OUTBOUND.operator_secret})
        del body["Seq"]
        assert (await raw.post("query_token", body))["Ret"] == 4003

    async def test_an_unknown_caller_gets_an_unsigned_4001(self, raw: RawHub) -> None:
        body = raw.envelope({"OperatorID": "MA01U0GU9"}, operator_id="MA01U0GU9")
        answer = await raw.post("query_token", body)
        assert (answer["Ret"], answer["Sig"], answer["Data"]) == (4001, "", "")

    async def test_data_that_does_not_decrypt_is_4004(self, raw: RawHub) -> None:
        token = await raw.login()
        body = raw.envelope({"StationIDs": ["310105MA002TMQX0001"]})
        body["Data"] = "bm90IGVuY3J5cHRlZA=="
        body["Sig"] = sign(
            OUTBOUND.secrets.sig_secret, HUB, body["Data"], body["TimeStamp"], body["Seq"]
        )
        assert (await raw.post("query_station_status", body, token))["Ret"] == 4004

    async def test_business_fields_are_checked_4004(self, raw: RawHub) -> None:
        token = await raw.login()
        ret, _, _ = await raw.call("query_stations_info", {"PageNo": 0}, token)
        assert ret == 4004


async def test_answers_are_in_the_ledger_and_its_summary(
    state: SimulatorState, raw: RawHub
) -> None:
    token = await raw.login()
    await raw.call("query_station_status", {"StationIDs": ["310105MA002TMQX0001"]}, token)
    await raw.call("query_station_status", {"StationIDs": ["x"]}, "forged")
    counts = state.ledger.counts()
    assert counts["query_token"] == {"answered": 1}
    assert counts["query_station_status"] == {"answered": 1, "rejected": 1}
    login = next(iter(state.ledger))
    assert login.payload["OperatorSecret"] == "***"
    assert login.result["AccessToken"] == "***"
    assert [e.outcome for e in state.ledger][-1] is Outcome.REJECTED
    transport = httpx.ASGITransport(app=create_simulator_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as http:
        summary = (await http.get("/ledger", params={"tail": 2})).json()
        health = (await http.get("/healthz")).json()
    assert summary["counts"]["query_station_status"]["rejected"] == 1
    assert summary["orders_closed"] == len(state.model.orders)
    assert len(summary["tail"]) == 2
    assert summary["tail"][-1]["ret"] == 4002
    assert health["status"] == "ok"
    assert health["operator_id"] == "MA002TMQX"
    assert health["sim_time"] == REPORT_END.astimezone(LOCAL_TZ).isoformat()
