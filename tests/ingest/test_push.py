"""Operators pushing to the hub over T/CEC 102: every check, every answer, nothing lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func
from sqlmodel import SQLModel, select

from app.core.config import Settings
from app.core.db import Database
from app.core.time import utc_now
from app.ingest.router import MAX_BODY_BYTES
from app.models import ChargingSession, ConnectorStatus, QuarantineRecord, StatusChange
from app.operators import service as operators_service
from app.operators.schemas import OperatorOnboard
from app.tcec.crypto import ChannelSecrets, encrypt_data, sign
from app.tcec.envelope import open_response
from tests.ingest.helpers import CONNECTOR, INBOUND, OPERATOR, OUTBOUND, SECRETS, Operator, status

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def operator(demo_registry: Database, app: Any) -> Database:
    async with demo_registry.session(write=True) as session:
        await operators_service.onboard_operator(
            session,
            app.state.context.vault,
            OperatorOnboard.model_validate(
                {
                    "operator_id": OPERATOR,
                    "name": "国网电动汽车服务有限公司",
                    "base_url": "http://127.0.0.1:9/evcs/v1/",
                    "inbound": INBOUND,
                    "outbound": OUTBOUND,
                }
            ),
        )
    return demo_registry


@pytest_asyncio.fixture
async def peer(client: httpx.AsyncClient, operator: Database) -> AsyncIterator[Operator]:
    peer = Operator(client)
    await peer.login()
    yield peer


async def count(database: Database, model: type[SQLModel]) -> int:
    async with database.session() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


def order(seq: str = "MA002TMQX202611260000000001", **overrides: Any) -> dict[str, Any]:
    start = utc_now() - timedelta(hours=3)
    local = "%Y-%m-%d %H:%M:%S"
    body = {
        "StartChargeSeq": seq,
        "ConnectorID": CONNECTOR,
        "StartTime": (start + timedelta(hours=8)).strftime(local),
        "EndTime": (start + timedelta(hours=10)).strftime(local),
        "TotalPower": 12.5,
        "TotalElecMoney": 3.86,
        "TotalSeviceMoney": 10.0,
        "TotalMoney": 13.86,
        "StopReason": 0,
    }
    return {**body, **overrides}


class TestTokenFlow:
    async def test_token_is_issued_for_the_right_secret(
        self, client: httpx.AsyncClient, operator: Database, settings: Settings
    ) -> None:
        grant = await Operator(client).login()
        assert grant["SuccStat"] == 0
        assert grant["FailReason"] == 0
        assert grant["TokenAvailableTime"] == int(settings.operator_token_ttl.total_seconds())
        assert len(grant["AccessToken"]) >= 32

    async def test_wrong_secret_gets_fail_reason_2(
        self, client: httpx.AsyncClient, operator: Database
    ) -> None:
        ret, _, data = await Operator(client).call(
            "query_token", {"OperatorID": OPERATOR, "OperatorSecret": "wrong"}
        )
        assert ret == 0
        assert data["SuccStat"] == 1
        assert data["FailReason"] == 2
        assert data["AccessToken"] == ""

    async def test_push_without_or_with_a_bad_token_is_4002(self, peer: Operator) -> None:
        for token in ("", "not-a-token"):
            response = await peer.post(
                "notification_stationStatus", peer.envelope(status(1)), token=token
            )
            assert open_response(response.json(), SECRETS)[0] == 4002


class TestProtocolChecks:
    async def test_missing_envelope_fields_are_4003(self, peer: Operator) -> None:
        envelope = peer.envelope(status(1))
        for field in ("OperatorID", "Data", "TimeStamp", "Seq", "Sig"):
            broken = {k: v for k, v in envelope.items() if k != field}
            body = (await peer.post("notification_stationStatus", broken)).json()
            assert body["Ret"] == 4003, field

    async def test_non_json_body_is_4003(self, peer: Operator) -> None:
        response = await peer.client.post(
            "/evcs/v1/notification_stationStatus",
            content=b"{not json",
            headers={"Authorization": f"Bearer {peer.token}"},
        )
        assert response.status_code == 200
        assert response.json()["Ret"] == 4003

    async def test_a_body_over_the_limit_is_4003_signed_for_a_known_operator(
        self, peer: Operator, operator: Database
    ) -> None:
        envelope = peer.envelope(status(255))
        envelope["Data"] = "A" * (MAX_BODY_BYTES + 10)  # OperatorID stays the first key
        response = await peer.post("notification_stationStatus", envelope)
        assert response.status_code == 200
        answer = response.json()
        assert answer["Sig"] != ""
        assert open_response(answer, SECRETS)[:2] == (4003, "request body too large")
        # A sender the hub does not know gets the refusal too, unsigned: no secret to sign with.
        envelope["OperatorID"] = "UNKNOWN01"
        stranger = (await peer.post("notification_stationStatus", envelope)).json()
        assert (stranger["Ret"], stranger["Sig"]) == (4003, "")
        assert await count(operator, StatusChange) == 0

    async def test_wrong_signature_and_unknown_operator_are_4001(self, peer: Operator) -> None:
        envelope = peer.envelope(status(1))
        tampered = {**envelope, "Sig": "0" * 32}
        assert (await peer.post("notification_stationStatus", tampered)).json()["Ret"] == 4001
        stranger = {**envelope, "OperatorID": "XXXXXXXXX"}
        answer = (await peer.post("notification_stationStatus", stranger)).json()
        assert answer["Ret"] == 4001
        assert answer["Sig"] == ""  # nobody to sign for

    async def test_undecryptable_or_non_json_data_is_4004_and_quarantined(
        self, peer: Operator, operator: Database
    ) -> None:
        wrong_key = ChannelSecrets(
            data_secret="zzzzzzzzzzzzzzzz",
            data_secret_iv=SECRETS.data_secret_iv,
            sig_secret=SECRETS.sig_secret,
        )
        sealed = Operator(peer.client, wrong_key).envelope(status(1))
        bad_base64 = resigned(peer.envelope(status(1)), data="!!not base64!!")
        not_json = resigned(peer.envelope(status(1)), data=encrypt_data(b"{'Status': 1,", SECRETS))
        for envelope in (sealed, bad_base64, not_json):
            answer = (await peer.post("notification_stationStatus", envelope)).json()
            assert open_response(answer, SECRETS)[0] == 4004
        assert await count(operator, QuarantineRecord) == 3
        assert await count(operator, StatusChange) == 0


def resigned(envelope: dict[str, str], *, data: str) -> dict[str, str]:
    """The envelope with other Data and a valid Sig over it (only Data is wrong)."""
    parts = (envelope["OperatorID"], data, envelope["TimeStamp"], envelope["Seq"])
    return {**envelope, "Data": data, "Sig": sign(SECRETS.sig_secret, *parts)}


class TestStationStatus:
    async def test_a_fault_push_is_recorded_and_colours_the_board(
        self, peer: Operator, client: httpx.AsyncClient, operator: Database
    ) -> None:
        ret, msg, data = await peer.call("notification_stationStatus", status(255))
        assert (ret, msg, data) == (0, "", {"Status": 0})
        board = (await client.get("/v1/board", params={"area": "310105011001"})).json()
        pile = next(p for p in board["piles"] if p["equipment_id"] == CONNECTOR[:-1])
        assert pile["colour"] == "yellow"
        async with operator.session() as session:
            sources = (await session.exec(select(ConnectorStatus.source))).all()
        assert "tcec" in sources

    async def test_a_repeated_push_is_ignored(self, peer: Operator) -> None:
        at = utc_now()
        assert (await peer.call("notification_stationStatus", status(3), at=at))[2] == {"Status": 0}
        assert (await peer.call("notification_stationStatus", status(3), at=at))[2] == {"Status": 1}

    @pytest.mark.parametrize(
        ("payload", "reason"),
        [
            (status(1, "NOPE"), "unknown connector NOPE"),
            (status(7), "unknown Status"),
            ({"ConnectorStatusInfo": {"Status": 1}}, "ConnectorID"),
            (status(2**64), "Status"),
            (status(-(2**70)), "Status"),
        ],
    )
    async def test_bad_records_are_4004_quarantined_and_stored_nowhere_else(
        self, peer: Operator, operator: Database, payload: dict[str, Any], reason: str
    ) -> None:
        history = await count(operator, StatusChange)
        ret, msg, _ = await peer.call("notification_stationStatus", payload)
        assert ret == 4004
        assert reason in msg
        assert await count(operator, StatusChange) == history
        async with operator.session() as session:
            record = (await session.exec(select(QuarantineRecord))).one()
        assert reason in record.reason
        assert record.source == "tcec:notification_stationStatus"

    async def test_a_mixed_batch_stores_every_good_record_and_quarantines_each_bad_one(
        self, peer: Operator, operator: Database
    ) -> None:
        """One rule whatever the fault: per record, not per push."""
        bad = [
            {"ConnectorID": "NOPE", "Status": 1},  # unknown connector
            {"ConnectorID": CONNECTOR, "Status": 7},  # unknown code
            {"ConnectorID": CONNECTOR, "Status": "broken"},  # not a number
            {"Status": 1},  # no ConnectorID
            "not an object",
        ]
        good = {"ConnectorID": CONNECTOR, "Status": 255}
        ret, msg, _ = await peer.call(
            "notification_stationStatus", {"ConnectorStatusInfo": [bad[0], good, *bad[1:]]}
        )
        assert ret == 4004
        assert msg.startswith("5 of 6 refused (1 stored)")
        assert await count(operator, StatusChange) == 1
        async with operator.session() as session:
            stored = (await session.exec(select(StatusChange))).one()
            records = (await session.exec(select(QuarantineRecord))).all()
        assert stored.raw_code == 255
        assert len(records) == 5
        kept = [r.payload["ConnectorStatusInfo"] for r in records]
        assert all(record in kept for record in bad)  # each bad record, as sent
        assert all(r.payload["TimeStamp"] for r in records)  # each keeps the push's time
        assert all(r.reason for r in records)

    async def test_an_extra_field_beyond_64_bits_does_not_stop_a_good_status(
        self, peer: Operator, operator: Database
    ) -> None:
        payload = status(255)
        payload["ConnectorStatusInfo"]["VendorCounter"] = 2**64
        payload["Extra"] = [2**80, {"deep": -(2**65)}]
        assert await peer.call("notification_stationStatus", payload) == (0, "", {"Status": 0})
        assert await count(operator, StatusChange) == 1

    async def test_a_timestamp_far_in_the_future_is_refused(
        self, peer: Operator, operator: Database
    ) -> None:
        ret, msg, _ = await peer.call(
            "notification_stationStatus", status(255), at=utc_now() + timedelta(minutes=11)
        )
        assert ret == 4004
        assert "future" in msg
        assert await count(operator, QuarantineRecord) == 1


class TestChargeOrders:
    async def test_an_order_becomes_one_session_however_often_it_is_sent(
        self, peer: Operator, operator: Database
    ) -> None:
        for _ in range(3):
            ret, _, data = await peer.call("notification_charge_order_info", order())
            assert ret == 0
            assert data["ConfirmResult"] == 0
        async with operator.session() as session:
            stored = (await session.exec(select(ChargingSession))).one()
        assert stored.energy_wh == 12_500
        assert stored.total_money_fen == 1386
        assert stored.start_charge_seq == "MA002TMQX202611260000000001"

    @pytest.mark.parametrize(
        "overrides",
        [
            {"TotalPower": -1},
            {"TotalPower": 1000},  # 1 MWh in 2 h on a 7 kW pile
            {"StartTime": "2026-11-26 12:00:00", "EndTime": "2026-11-26 11:00:00"},
            {"StartTime": "2099-01-01 00:00:00", "EndTime": "2099-01-01 01:00:00"},
            {"StopReason": 2**64},
            {"SumPeriod": 2**64 + 1},
        ],
    )
    async def test_absurd_orders_are_quarantined(
        self, peer: Operator, operator: Database, overrides: dict[str, Any]
    ) -> None:
        ret, _, _ = await peer.call("notification_charge_order_info", order(**overrides))
        assert ret == 4004
        assert await count(operator, ChargingSession) == 0
        assert await count(operator, QuarantineRecord) == 1


class TestForeignOrders:
    """T/CEC order numbers begin with their operator's OperatorID: another operator's number is
    refused (4004) and quarantined, on both interfaces that carry one."""

    async def test_a_charge_order_numbered_by_another_operator_is_refused(
        self, peer: Operator, operator: Database
    ) -> None:
        ret, msg, _ = await peer.call(
            "notification_charge_order_info", order(seq="MA0000001202611260000000001")
        )
        assert ret == 4004
        assert "OperatorID" in msg
        assert await count(operator, ChargingSession) == 0
        async with operator.session() as session:
            record = (await session.exec(select(QuarantineRecord))).one()
        assert record.source == "tcec:notification_charge_order_info"
        assert "StartChargeSeq" in record.reason

    async def test_a_charging_status_of_another_operators_order_is_refused(
        self, peer: Operator, operator: Database
    ) -> None:
        at = (utc_now() + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
        sample = {"StartChargeSeqStat": 2, "ConnectorID": CONNECTOR, "ConnectorStatus": 3,
                  "EndTime": at, "TotalPower": 1.5}  # fmt: skip
        foreign = {"StartChargeSeq": "MA0000001202611260000000002", **sample}
        ret, msg, _ = await peer.call("notification_equip_charge_status", foreign)
        assert (ret, "OperatorID" in msg) == (4004, True)
        assert await count(operator, QuarantineRecord) == 1
        own = {"StartChargeSeq": f"{OPERATOR}202611260000000002", **sample}
        ret, _, data = await peer.call("notification_equip_charge_status", own)
        assert (ret, data["SuccStat"]) == (0, 0)


async def test_station_info_push_registers_and_keeps_the_community(
    peer: Operator, client: httpx.AsyncClient
) -> None:
    info = {
        "StationID": "310105MA002TMQX0001",
        "OperatorID": OPERATOR,
        "StationName": "新泾三村 共享充电站（更新）",
        "AreaCode": "310105",
        "StationType": 1,
        "StationStatus": 50,
        "EquipmentInfos": [
            {
                "EquipmentID": "310105MA002TMQX000109",
                "EquipmentType": 2,
                "Power": 7.0,
                "ConnectorInfos": [{"ConnectorID": "310105MA002TMQX0001091", "ConnectorType": 3}],
            }
        ],
    }
    ret, _, data = await peer.call("notification_stationInfo", info)
    assert (ret, data) == (0, {"Status": 0})
    board = (await client.get("/v1/board", params={"area": "310105011001"})).json()
    assert board["area"]["counts"]["total"] == 9  # 8 piles plus the new one, same community


async def test_reads_keep_serving_while_operators_send_garbage(
    peer: Operator, client: httpx.AsyncClient
) -> None:
    envelope = peer.envelope(status(1))
    garbage: list[Any] = [
        b"{not json",
        {**envelope, "Sig": "0" * 32},
        {k: v for k, v in envelope.items() if k != "Data"},
        resigned(envelope, data="!!"),
        peer.envelope(status(9)),
        peer.envelope(order(TotalPower=-5)),
    ]

    async def send(body: Any) -> int:
        if isinstance(body, bytes):
            response = await peer.client.post("/evcs/v1/notification_stationStatus", content=body)
        else:
            response = await peer.post("notification_stationStatus", body)
        return response.status_code

    async def read() -> int:
        return (await client.get("/v1/board", params={"area": "310105011"})).status_code

    results = await asyncio.gather(*(send(b) for b in garbage * 3), *(read() for _ in range(10)))
    assert set(results) == {200}
