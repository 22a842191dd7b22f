"""Demo credentials in the hub's onboarding shape; the ledger and its folds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from app.operators.schemas import OperatorOnboard
from app.simulator.credentials import DEMO_CREDENTIALS, onboarding_document
from app.simulator.ledger import Kind, Ledger, Outcome

NOW = datetime(2022, 3, 3, tzinfo=UTC)


def test_demo_credentials_fit_the_hubs_onboarding() -> None:
    document = onboarding_document()
    data = OperatorOnboard.model_validate(
        {
            "operator_id": DEMO_CREDENTIALS.operator_id,
            "name": "国网电动汽车服务有限公司",
            "base_url": "http://127.0.0.1:8766/evcs/v1/",
            **document,
        }
    )
    assert data.inbound.plain() == DEMO_CREDENTIALS.inbound.as_onboarding()
    assert data.outbound.plain() == DEMO_CREDENTIALS.outbound.as_onboarding()
    for direction in document.values():
        assert all(len(value) == 16 for value in direction.values())
        assert direction["operator_secret"].startswith("DEMOONLY")
    assert document["inbound"] != document["outbound"]  # one set per direction
    assert "sg2hub" not in repr(DEMO_CREDENTIALS)
    assert "hub2sg" not in repr(DEMO_CREDENTIALS)


def status(connector: str, code: int) -> dict[str, object]:
    return {"ConnectorStatusInfo": {"ConnectorID": connector, "Status": code}}


def order(seq: str, connector: str, kwh: float) -> dict[str, object]:
    return {"StartChargeSeq": seq, "ConnectorID": connector, "TotalPower": kwh}


def fill(ledger: Ledger) -> None:
    def push(interface: str, payload: object, outcome: Outcome, ret: int | None = 0) -> None:
        ledger.record(
            kind=Kind.PUSH,
            interface=interface,
            outcome=outcome,
            payload=payload,
            ret=ret,
            sim_time=NOW,
            wall_time=NOW,
        )

    push("notification_stationStatus", status("A1", 2), Outcome.DELIVERED)
    push("notification_stationStatus", status("A1", 3), Outcome.FAILED, ret=None)
    push("notification_stationStatus", status("A1", 3), Outcome.DELIVERED)
    push("notification_stationStatus", status("B1", 255), Outcome.IGNORED)
    push("notification_stationStatus", status("B1", 1), Outcome.REFUSED, ret=4004)
    push("notification_charge_order_info", order("S1", "A1", 10.5), Outcome.DELIVERED)
    push("notification_charge_order_info", order("S1", "A1", 10.5), Outcome.DELIVERED)
    push("notification_charge_order_info", order("S2", "B1", 2.25), Outcome.DELIVERED)
    push("notification_charge_order_info", order("S3", "B1", 9.0), Outcome.FAILED, ret=None)
    ledger.record(
        kind=Kind.ANSWER,
        interface="query_token",
        outcome=Outcome.ANSWERED,
        payload={"OperatorID": "PILEHUB01", "OperatorSecret": "s3cret"},
        ret=0,
        result={"AccessToken": "tok", "SuccStat": 0},
        sim_time=NOW,
        wall_time=NOW,
    )


def test_the_ledger_folds() -> None:
    ledger = Ledger()
    fill(ledger)
    assert ledger.final_statuses() == {"A1": 3, "B1": 255}
    assert ledger.delivered_orders() == {"S1", "S2"}
    assert ledger.energy_by_community({"A1": "north", "B1": "south"}) == {
        "north": Decimal("10.5"),
        "south": Decimal("2.25"),
    }
    assert ledger.counts()["notification_stationStatus"] == {
        "delivered": 2,
        "failed": 1,
        "ignored": 1,
        "refused": 1,
    }


def test_secrets_are_masked(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.jsonl")
    fill(ledger)
    ledger.close()
    text = (tmp_path / "ledger.jsonl").read_text("utf-8")
    assert "s3cret" not in text
    assert '"tok"' not in text
    token_entry = list(ledger)[-1]
    assert token_entry.payload["OperatorSecret"] == "***"
    assert token_entry.result["AccessToken"] == "***"


def test_the_jsonl_file_reads_back_the_same(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "ledger.jsonl"
    ledger = Ledger(path, run="first")
    fill(ledger)
    ledger.close()
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == len(ledger)
    assert json.loads(lines[0])["interface"] == "notification_stationStatus"
    again = Ledger.load(path)
    assert list(again) == list(ledger)
    assert again.delivered_orders() == {"S1", "S2"}


def test_runs_append_and_load_reads_the_last(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    for run in ("first", "second"):
        ledger = Ledger(path, run=run)
        fill(ledger)
        ledger.close()
    last = Ledger.load(path)
    assert {entry.run for entry in last} == {"second"}
    assert len(last) == len(ledger)
    assert len(Ledger.load(path, every_run=True)) == 2 * len(ledger)
