"""Charge orders for tests: one known session, changed field by field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.sessions.schemas import ChargeDetail, ChargeOrderRecord
from tests.fixtures.factories import OPERATOR

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)
HALF = timedelta(minutes=30)


def order(connector_id: str, seq: str = "S1", **overrides: Any) -> ChargeOrderRecord:
    """One hour on a 7 kW connector, 5 kWh in two tariff periods, 4.50 yuan."""
    fields: dict[str, Any] = {
        "operator_id": OPERATOR,
        "start_charge_seq": seq,
        "connector_id": connector_id,
        "start_at": T0,
        "end_at": T0 + 2 * HALF,
        "energy_wh": 5000,
        "elec_money_fen": 350,
        "service_money_fen": 100,
        "total_money_fen": 450,
        "stop_reason": 0,
        "details": [
            ChargeDetail(
                start=T0,
                end=T0 + HALF,
                energy_wh=2500,
                elec_price=0.8,
                service_price=0.2,
                elec_money_fen=200,
                service_money_fen=50,
            ),
            ChargeDetail(
                start=T0 + HALF,
                end=T0 + 2 * HALF,
                energy_wh=2500,
                elec_price=0.6,
                service_price=0.2,
                elec_money_fen=150,
                service_money_fen=50,
            ),
        ],
        "received_at": NOW - timedelta(minutes=1),
    }
    return ChargeOrderRecord.model_validate(fields | overrides)
