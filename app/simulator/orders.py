"""Finished sessions as T/CEC charge orders, and the operator's book of them.

An order is what `notification_charge_order_info` carries (S3; ref §4.8): StartChargeSeq =
OperatorID + 18 digits (27 characters, like State Grid's `MA002TMQX202004090925368255`),
here the local start time (14 digits) and the connector's 4-digit number in the catalogue, so
a seq is unique and the same for a seed. ChargeDetails cut the session at every time-of-use
boundary; energy is shared out by time (the car draws constant power) in whole 0.01 kWh so
the details add up to the total exactly, and money is price × energy per detail, rounded half
up to the fen, the totals being the sums of the details.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.core.time import LOCAL_TZ
from app.simulator.behaviour import Visit
from app.simulator.tariff import Tariff
from app.tcec.wire import ChargeOrderInfo, dump_wire, parse_wire

CENT = Decimal("0.01")
STOP_BY_USER = 0  # 用户手动停止
STOP_BY_BMS = 2  # BMS停止 (battery full)


@dataclass(frozen=True, slots=True)
class DetailLine:
    start: datetime
    end: datetime
    period: str
    elec_price: Decimal
    service_price: Decimal
    energy_kwh: Decimal
    elec_money: Decimal
    service_money: Decimal


@dataclass(frozen=True, slots=True)
class ChargeOrder:
    """A finished session; times are aware, Asia/Shanghai, whole seconds."""

    start_charge_seq: str
    connector_id: str
    station_id: str
    community_code: str
    power_kw: float  # what the car drew
    start: datetime
    end: datetime
    energy_kwh: Decimal
    elec_money: Decimal
    service_money: Decimal
    stop_reason: int
    details: tuple[DetailLine, ...]

    @property
    def total_money(self) -> Decimal:
        return self.elec_money + self.service_money

    def wire_payload(self) -> dict[str, Any]:
        """The notification_charge_order_info Data, in the CEC spelling (`Sevice…`)."""
        raw = {
            "StartChargeSeq": self.start_charge_seq,
            "ConnectorID": self.connector_id,
            "StartTime": self.start,
            "EndTime": self.end,
            "TotalPower": self.energy_kwh,
            "TotalElecMoney": self.elec_money,
            "TotalSeviceMoney": self.service_money,
            "TotalMoney": self.total_money,
            "StopReason": self.stop_reason,
            "SumPeriod": len(self.details),
            "ChargeDetails": [
                {
                    "DetailStartTime": d.start,
                    "DetailEndTime": d.end,
                    "ElecPrice": d.elec_price,
                    "SevicePrice": d.service_price,
                    "DetailPower": d.energy_kwh,
                    "DetailElecMoney": d.elec_money,
                    "DetailSeviceMoney": d.service_money,
                }
                for d in self.details
            ],
        }
        return dump_wire(parse_wire(ChargeOrderInfo, raw))


def start_charge_seq(operator_id: str, start: datetime, connector_number: int) -> str:
    if not 0 < connector_number < 10_000:
        raise ValueError("connector number must have at most 4 digits")
    return f"{operator_id}{start.astimezone(LOCAL_TZ):%Y%m%d%H%M%S}{connector_number:04d}"


def share_out(total: Decimal, weights: Sequence[float]) -> list[Decimal]:
    """`total` (2 dp) split in proportion to `weights` in whole cents, summing exactly
    (largest remainder; ties go to the earlier item)."""
    cents = int((total / CENT).to_integral_value())
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than zero")
    exact = [cents * w / weight_sum for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: cents - sum(shares)]:
        shares[i] += 1
    return [Decimal(s) * CENT for s in shares]


def _money(energy: Decimal, price: Decimal) -> Decimal:
    return (energy * price).quantize(CENT, rounding=ROUND_HALF_UP)


def build_order(
    *,
    operator_id: str,
    connector_number: int,
    connector_id: str,
    station_id: str,
    community_code: str,
    visit: Visit,
    tariff: Tariff,
) -> ChargeOrder:
    start = visit.charge_start.astimezone(LOCAL_TZ)
    end = visit.charge_end.astimezone(LOCAL_TZ)
    segments = tariff.split(start, end)
    energies = share_out(visit.energy_kwh, [(s.end - s.start).total_seconds() for s in segments])
    details = tuple(
        DetailLine(
            start=s.start,
            end=s.end,
            period=s.period.name,
            elec_price=s.period.elec_price,
            service_price=tariff.service_price,
            energy_kwh=energy,
            elec_money=_money(energy, s.period.elec_price),
            service_money=_money(energy, tariff.service_price),
        )
        for s, energy in zip(segments, energies, strict=True)
    )
    return ChargeOrder(
        start_charge_seq=start_charge_seq(operator_id, start, connector_number),
        connector_id=connector_id,
        station_id=station_id,
        community_code=community_code,
        power_kw=visit.power_kw,
        start=start,
        end=end,
        energy_kwh=visit.energy_kwh,
        elec_money=sum((d.elec_money for d in details), Decimal(0)),
        service_money=sum((d.service_money for d in details), Decimal(0)),
        stop_reason=STOP_BY_BMS if visit.full else STOP_BY_USER,
        details=details,
    )


class OrderBook:
    """Every order the platform has closed (history and live), for query_station_stats.

    Energy is booked on the local day the session started, as the hub reconciles it
    (app.sessions.reconcile.station_day_energy), so both sides agree on every day.
    """

    def __init__(self) -> None:
        self._orders: list[ChargeOrder] = []
        self._daily: dict[tuple[str, date], Decimal] = {}  # (connector, day) -> kWh

    def add(self, orders: Iterable[ChargeOrder]) -> None:
        for order in orders:
            self._orders.append(order)
            key = (order.connector_id, order.start.astimezone(LOCAL_TZ).date())
            self._daily[key] = self._daily.get(key, Decimal(0)) + order.energy_kwh

    def __len__(self) -> int:
        return len(self._orders)

    @property
    def orders(self) -> Sequence[ChargeOrder]:
        return self._orders

    def connector_energy(self, connector_id: str, first: date, last: date) -> Decimal:
        """kWh charged on the connector over local days `first`..`last` inclusive."""
        total = Decimal(0)
        day = first
        while day <= last:
            total += self._daily.get((connector_id, day), Decimal(0))
            day += timedelta(days=1)
        return total
