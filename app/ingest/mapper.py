"""Pure functions from T/CEC 102 wire models to the hub's domain inputs; no I/O.

Records the domain cannot take raise TcecError(Ret.BAD_DATA, reason): the receiver answers
4004 (S1 §6.4.2 "请求的业务参数不合法") and the reason names fields, never values.

Units (ref §4.8): energy arrives in kWh (2 dp) and money in yuan (2 dp); the domain keeps
exact integers, Wh and fen. Conversion is Decimal arithmetic with ROUND_HALF_UP, never float
math: 1.005 yuan is 101 fen here, where `round(1.005 * 100)` would give 100.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.piles.schemas import ConnectorRecord, EquipmentRecord, StationRecord
from app.sessions import schemas as sessions
from app.status.codes import TCEC_STATES
from app.status.schemas import StatusReport
from app.tcec.envelope import parse_timestamp
from app.tcec.ret import Ret, TcecError
from app.tcec.wire import (
    ChargeDetail,
    ChargeOrderInfo,
    ConnectorInfo,
    ConnectorStatusInfo,
    EquipChargeStatus,
    EquipmentInfo,
    StationInfo,
    StationStatusInfo,
    validation_summary,
)

__all__ = [
    "CHARGE_STATUS_CODES",
    "SOURCE",
    "charge_order_record",
    "charge_status_report",
    "kwh_to_wh",
    "parse_timestamp",
    "station_record",
    "station_status_reports",
    "status_report",
    "yuan_to_fen",
]

SOURCE = "tcec"
# ConnectorStatus in charge-status objects: 1/2/3/4/255, no 0 "offline" (S3; ref §4.9).
CHARGE_STATUS_CODES = frozenset(code for code in TCEC_STATES if code != 0)

_ONE = Decimal(1)
D = TypeVar("D", bound=BaseModel)


def _scaled(value: Decimal, factor: int) -> int:
    return int((value * factor).quantize(_ONE, rounding=ROUND_HALF_UP))


def kwh_to_wh(kwh: Decimal) -> int:
    """kWh (2 dp on the wire) to whole Wh, half up: 2.25 -> 2250."""
    return _scaled(kwh, 1000)


def yuan_to_fen(yuan: Decimal) -> int:
    """Yuan (2 dp on the wire) to whole fen, half up: 0.28 -> 28, 1.005 -> 101."""
    return _scaled(yuan, 100)


def _optional(convert: Callable[[Decimal], int], value: Decimal | None) -> int | None:
    return None if value is None else convert(value)


def _price(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _aware(moment: datetime, name: str) -> datetime:
    # A naive time here is the caller's bug, not the partner's: no 4004 for it.
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment


def _build(record: type[D], what: str, /, **fields: Any) -> D:
    """Build a domain record; None means "not sent", so the domain default applies."""
    try:
        return record(**{name: value for name, value in fields.items() if value is not None})
    except ValidationError as exc:
        raise TcecError(Ret.BAD_DATA, f"{what}: {validation_summary(exc)}") from None


def _position(lng: float | None, lat: float | None) -> tuple[float | None, float | None]:
    # 0,0 is what senders put for "unknown" (it is in the Gulf of Guinea, not in China).
    if lng is None or lat is None or (lng == 0 and lat == 0):
        return None, None
    return lng, lat


# --- 102.2 public information -------------------------------------------------------------


def _connector_record(info: ConnectorInfo) -> ConnectorRecord:
    return _build(
        ConnectorRecord,
        f"ConnectorInfo {info.connector_id}",
        connector_id=info.connector_id,
        name=info.connector_name,
        connector_type=info.connector_type,
        voltage_upper=info.voltage_upper_limits,
        voltage_lower=info.voltage_lower_limits,
        current_a=info.current,
        power_kw=info.power,
        park_no=info.park_no,
        national_standard=info.national_standard,
    )


def _equipment_record(info: EquipmentInfo) -> EquipmentRecord:
    lng, lat = _position(info.equipment_lng, info.equipment_lat)
    return _build(
        EquipmentRecord,
        f"EquipmentInfo {info.equipment_id}",
        equipment_id=info.equipment_id,
        name=info.equipment_name,
        manufacturer_id=info.manufacturer_id,
        manufacturer_name=info.manufacturer_name,
        model=info.equipment_model,
        production_date=info.production_date,
        equipment_type=info.equipment_type,
        power_kw=info.power,
        lng_gcj02=lng,
        lat_gcj02=lat,
        connectors=[_connector_record(c) for c in info.connector_infos],
    )


def station_record(info: StationInfo, *, jurisdiction_code: str) -> StationRecord:
    """A StationInfo (S2 §4.3) with its equipment, placed in `jurisdiction_code`.

    The StationID is kept exactly as sent: whether it is zero-padded is the operator's choice
    (ref §4), and re-padding would break matching with their later status pushes.
    """
    lng, lat = _position(info.station_lng, info.station_lat)
    return _build(
        StationRecord,
        f"StationInfo {info.station_id}",
        operator_id=info.operator_id,
        station_id=info.station_id,
        name=info.station_name,
        jurisdiction_code=jurisdiction_code,
        area_code=info.area_code,
        address=info.address,
        station_type=info.station_type,
        station_status=info.station_status,
        construction=info.construction,
        park_nums=info.park_nums,
        lng_gcj02=lng,
        lat_gcj02=lat,
        equipment=[_equipment_record(e) for e in info.equipment_infos],
    )


def status_report(
    info: ConnectorStatusInfo,
    *,
    operator_id: str,
    observed_at: datetime,
    received_at: datetime,
    source: str = SOURCE,
) -> StatusReport:
    """A ConnectorStatusInfo (S2 §4.6) as a status report.

    The object carries no time of its own, so `observed_at` is the envelope's TimeStamp
    (`parse_timestamp`) for a push, or the poll's time for query_station_status.
    """
    if info.status not in TCEC_STATES:
        raise TcecError(Ret.BAD_DATA, f"ConnectorStatusInfo {info.connector_id}: unknown Status")
    _aware(observed_at, "observed_at")
    _aware(received_at, "received_at")
    try:
        return StatusReport(
            operator_id, info.connector_id, info.status, observed_at, received_at, source
        )
    except ValueError as exc:
        raise TcecError(Ret.BAD_DATA, f"ConnectorStatusInfo {info.connector_id}: {exc}") from None


def station_status_reports(
    info: StationStatusInfo,
    *,
    operator_id: str,
    observed_at: datetime,
    received_at: datetime,
    source: str = SOURCE,
) -> list[StatusReport]:
    """Every connector of a StationStatusInfo (query_station_status, S2 §4.7)."""
    return [
        status_report(
            c,
            operator_id=operator_id,
            observed_at=observed_at,
            received_at=received_at,
            source=source,
        )
        for c in info.connector_status_infos
    ]


# --- 102.3 business ----------------------------------------------------------------------


def _charge_detail(detail: ChargeDetail) -> sessions.ChargeDetail:
    if detail.detail_end_time < detail.detail_start_time:
        raise TcecError(Ret.BAD_DATA, "ChargeDetails: DetailEndTime is before DetailStartTime")
    return _build(
        sessions.ChargeDetail,
        "ChargeDetails",
        start=_utc(detail.detail_start_time),
        end=_utc(detail.detail_end_time),
        energy_wh=kwh_to_wh(detail.detail_power),
        elec_price=_price(detail.elec_price),
        service_price=_price(detail.service_price),
        elec_money_fen=_optional(yuan_to_fen, detail.detail_elec_money),
        service_money_fen=_optional(yuan_to_fen, detail.detail_service_money),
    )


def charge_order_record(
    order: ChargeOrderInfo, *, operator_id: str, received_at: datetime
) -> sessions.ChargeOrderRecord:
    """A notification_charge_order_info bill (S3) as the hub's charging-session input."""
    what = f"ChargeOrderInfo {order.start_charge_seq}"
    if order.end_time < order.start_time:
        raise TcecError(Ret.BAD_DATA, f"{what}: EndTime is before StartTime")
    if order.total_power < 0:
        raise TcecError(Ret.BAD_DATA, f"{what}: TotalPower is negative")
    return _build(
        sessions.ChargeOrderRecord,
        what,
        operator_id=operator_id,
        start_charge_seq=order.start_charge_seq,
        connector_id=order.connector_id,
        start_at=_utc(order.start_time),
        end_at=_utc(order.end_time),
        energy_wh=kwh_to_wh(order.total_power),
        elec_money_fen=_optional(yuan_to_fen, order.total_elec_money),
        service_money_fen=_optional(yuan_to_fen, order.total_service_money),
        total_money_fen=_optional(yuan_to_fen, order.total_money),
        stop_reason=order.stop_reason,
        details=[_charge_detail(d) for d in order.charge_details],
        received_at=_aware(received_at, "received_at"),
    )


def charge_status_report(
    status: EquipChargeStatus, *, operator_id: str, received_at: datetime, source: str = SOURCE
) -> StatusReport:
    """The connector state inside a charging-status push (S3), sampled at its EndTime."""
    if status.connector_status not in CHARGE_STATUS_CODES:
        raise TcecError(
            Ret.BAD_DATA, f"EquipChargeStatus {status.start_charge_seq}: unknown ConnectorStatus"
        )
    _aware(received_at, "received_at")
    try:
        return StatusReport(
            operator_id,
            status.connector_id,
            status.connector_status,
            _utc(status.end_time),
            received_at,
            source,
        )
    except ValueError as exc:
        raise TcecError(
            Ret.BAD_DATA, f"EquipChargeStatus {status.start_charge_seq}: {exc}"
        ) from None
