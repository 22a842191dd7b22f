"""T/CEC 102 wire models (liberal in, strict out) and the pure wire -> domain mapping."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from app.ingest.mapper import (
    charge_order_record,
    charge_status_report,
    kwh_to_wh,
    station_record,
    station_status_reports,
    status_report,
    yuan_to_fen,
)
from app.tcec.crypto import ChannelSecrets
from app.tcec.envelope import open_request, parse_timestamp, seal_request
from app.tcec.ret import Ret, TcecError
from app.tcec.wire import (
    ChargeDetail,
    ChargeOrderInfo,
    ChargeOrderInfoResponse,
    ConfirmResultCode,
    ConnectorStatusInfo,
    EquipChargeStatus,
    EquipChargeStatusResponse,
    NotificationStationStatusRequest,
    NotificationStatus,
    QueryStationsInfoRequest,
    QueryStationsInfoResponse,
    QueryStationStatsResponse,
    QueryStationStatusRequest,
    QueryStationStatusResponse,
    QueryTokenRequest,
    QueryTokenResponse,
    StationInfo,
    StatusResponse,
    SuccStat,
    dump_wire,
    parse_wire,
    unknown_fields,
)

OPERATOR = "123456789"
RECEIVED = datetime(2026, 10, 9, 4, 31, tzinfo=UTC)

# The protocol's example of a query_stations_info response (T/CEC 102.4).
STATIONS_INFO: dict[str, Any] = {
    "PageNo": 1,
    "PageCount": 1,
    "ItemSize": 1,
    "StationInfos": [
        {
            "StationID": "000000000000001",
            "OperatorID": "123456789",
            "EquipmentOwnerID": "123456789",
            "StationName": "充电站名称",
            "CountryCode": "CN",
            "AreaCode": "441781",
            "Address": "地址",
            "ServiceTel": "123456789",
            "StationType": 1,
            "StationStatus": 50,
            "ParkNums": 3,
            "StationLng": 119.97049,
            "StationLat": 31.717877,
            "Construction": 1,
            "EquipmentInfos": [
                {
                    "EquipmentID": "10000000000000000000003",
                    "ManufacturerID": "123456789",
                    "EquipmentModel": "p3",
                    "ProductionDate": "2016-04-26",
                    "EquipmentType": 3,
                    "Power": 3.3,
                    "ConnectorInfos": [
                        {
                            "ConnectorID": "1",
                            "ConnectorType": 1,
                            "VoltageUpperLimits": 220,
                            "VoltageLowerLimits": 220,
                            "Current": 15,
                            "Power": 3.3,
                            "NationalStandard": 2,
                        }
                    ],
                }
            ],
        }
    ],
}

# The protocol's example of a notification_stationStatus request (T/CEC 102.4).
STATION_STATUS: dict[str, Any] = {
    "ConnectorStatusInfo": {
        "ConnectorID": "00000000000000000000000001",
        "Status": 3,
        "ParkStatus": 10,
        "LockStatus": 50,
    }
}

# The protocol's example of a notification_charge_order_info request, CEC spellings.
CHARGE_ORDER: dict[str, Any] = {
    "StartChargeSeq": "123456789202610090000000001",
    "ConnectorID": "00000000000000000000000001",
    "StartTime": "2026-10-09 12:00:00",
    "EndTime": "2026-10-09 12:30:00",
    "TotalPower": 2.25,
    "TotalElecMoney": 0.28,
    "TotalSeviceMoney": 1.13,
    "TotalMoney": 1.41,
    "StopReason": 0,
    "SumPeriod": 1,
    "ChargeDetails": [
        {
            "DetailStartTime": "2026-10-09 12:00:00",
            "DetailEndTime": "2026-10-09 12:30:00",
            "ElecPrice": 0.1234,
            "SevicePrice": 0.5,
            "DetailPower": 2.25,
            "DetailElecMoney": 0.28,
            "DetailSeviceMoney": 1.13,
        }
    ],
}

CHARGE_STATUS: dict[str, Any] = {
    "StartChargeSeq": "123456789202610090000000001",
    "StartChargeSeqStat": 2,
    "ConnectorID": "00000000000000000000000001",
    "ConnectorStatus": 3,
    "CurrentA": 12.5,
    "VoltageA": 220.1,
    "Soc": 45.5,
    "StartTime": "2026-10-09 12:00:00",
    "EndTime": "2026-10-09 12:10:00",
    "TotalPower": 0.75,
    "ElecMoney": 0.09,
    "SeviceMoney": 0.38,
    "TotalMoney": 0.47,
    "SumPeriod": 0,
}


def order_with(**changes: Any) -> dict[str, Any]:
    order = copy.deepcopy(CHARGE_ORDER)
    order.update(changes)
    return order


def bad_data(call: Any, *args: Any, **kwargs: Any) -> TcecError:
    with pytest.raises(TcecError) as caught:
        call(*args, **kwargs)
    assert caught.value.ret is Ret.BAD_DATA
    return caught.value


# --- §6 sample payloads ----------------------------------------------------------------------


def test_stations_info_sample_maps_to_a_station_record() -> None:
    page = parse_wire(QueryStationsInfoResponse, STATIONS_INFO)
    assert (page.page_no, page.page_count, page.item_size) == (1, 1, 1)
    record = station_record(page.station_infos[0], jurisdiction_code="310101002")
    assert record.station_id == "000000000000001"  # zero padding kept as given
    assert (record.operator_id, record.name, record.area_code) == (OPERATOR, "充电站名称", "441781")
    assert (record.jurisdiction_code, record.station_status, record.construction) == (
        "310101002",
        50,
        1,
    )
    assert (record.lng_gcj02, record.lat_gcj02, record.park_nums) == (119.97049, 31.717877, 3)
    [pile] = record.equipment
    assert pile.equipment_id == "10000000000000000000003"
    assert (pile.production_date, pile.equipment_type, pile.power_kw) == (date(2016, 4, 26), 3, 3.3)
    [connector] = pile.connectors
    assert (connector.connector_id, connector.connector_type, connector.current_a) == ("1", 1, 15)
    assert (connector.voltage_upper, connector.power_kw, connector.national_standard) == (
        220,
        3.3,
        2,
    )


def test_station_status_sample_maps_to_a_status_report() -> None:
    request = parse_wire(NotificationStationStatusRequest, STATION_STATUS)
    [info] = request.connector_status_info
    observed = parse_timestamp("20261009120000")
    report = status_report(info, operator_id=OPERATOR, observed_at=observed, received_at=RECEIVED)
    assert report.connector_id == "00000000000000000000000001"
    assert (report.code, report.source) == (3, "tcec")
    assert report.observed_at == datetime(2026, 10, 9, 4, 0, tzinfo=UTC)
    assert (info.park_status, info.lock_status) == (10, 50)


def test_charge_order_sample_maps_to_exact_integers_in_utc() -> None:
    order = parse_wire(ChargeOrderInfo, CHARGE_ORDER)
    record = charge_order_record(order, operator_id=OPERATOR, received_at=RECEIVED)
    assert record.start_charge_seq == "123456789202610090000000001"
    assert (record.start_at, record.end_at) == (
        datetime(2026, 10, 9, 4, 0, tzinfo=UTC),
        datetime(2026, 10, 9, 4, 30, tzinfo=UTC),
    )
    assert record.energy_wh == 2250
    assert (record.elec_money_fen, record.service_money_fen, record.total_money_fen) == (
        28,
        113,
        141,
    )
    assert record.stop_reason == 0
    [detail] = record.details
    assert (detail.start, detail.energy_wh) == (datetime(2026, 10, 9, 4, 0, tzinfo=UTC), 2250)
    assert (detail.elec_price, detail.service_price) == (0.1234, 0.5)
    assert (detail.elec_money_fen, detail.service_money_fen) == (28, 113)


def test_charge_status_maps_to_a_report_sampled_at_end_time() -> None:
    status = parse_wire(EquipChargeStatus, CHARGE_STATUS)
    report = charge_status_report(status, operator_id=OPERATOR, received_at=RECEIVED)
    assert (report.connector_id, report.code) == ("00000000000000000000000001", 3)
    assert report.observed_at == datetime(2026, 10, 9, 4, 10, tzinfo=UTC)
    assert (status.elec_money, status.service_money) == (Decimal("0.09"), Decimal("0.38"))


def test_a_sealed_order_travels_to_the_domain() -> None:
    secrets = ChannelSecrets("1234567890abcdef", "fedcba0987654321", "sig")
    order = parse_wire(ChargeOrderInfo, CHARGE_ORDER)
    body = seal_request(OPERATOR, dump_wire(order), secrets, timestamp="20261009123100", seq="0001")
    operator_id, payload = open_request(body, lambda _: secrets)
    record = charge_order_record(
        parse_wire(ChargeOrderInfo, payload), operator_id=operator_id, received_at=RECEIVED
    )
    assert (record.energy_wh, record.total_money_fen) == (2250, 141)


def test_sample_response_bodies() -> None:
    # §6.2 and §6.3 response Data, built the way a receiver answers.
    assert parse_wire(StatusResponse, {"Status": 0}).status == NotificationStatus.ACCEPTED
    confirmation = ChargeOrderInfoResponse(
        start_charge_seq="123456789202610090000000001",
        connector_id="00000000000000000000000001",
        confirm_result=ConfirmResultCode.CONFIRMED,
    )
    assert dump_wire(confirmation) == {
        "StartChargeSeq": "123456789202610090000000001",
        "ConnectorID": "00000000000000000000000001",
        "ConfirmResult": 0,
    }
    pushed = EquipChargeStatusResponse(start_charge_seq="1", succ_stat=SuccStat.SUCCESS)
    assert dump_wire(pushed) == {"StartChargeSeq": "1", "SuccStat": 0}


# --- liberal input -------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["TotalSeviceMoney", "TotalServiceMoney", "totalservicemoney"])
def test_total_service_money_spellings(spelling: str) -> None:
    payload = order_with()
    del payload["TotalSeviceMoney"]
    payload[spelling] = 1.13
    assert parse_wire(ChargeOrderInfo, payload).total_service_money == Decimal("1.13")


@pytest.mark.parametrize(
    ("price", "money"),
    [("SevicePrice", "DetailSeviceMoney"), ("ServicePrice", "DetailServiceMoney")],
)
def test_detail_service_spellings(price: str, money: str) -> None:
    detail = parse_wire(
        ChargeDetail,
        {
            "DetailStartTime": "2026-10-09 12:00:00",
            "DetailEndTime": "2026-10-09 12:30:00",
            "DetailPower": 2.25,
            price: 0.5,
            money: 1.13,
        },
    )
    assert (detail.service_price, detail.detail_service_money) == (Decimal("0.5"), Decimal("1.13"))


@pytest.mark.parametrize(
    ("elec", "service"),
    [("ElecMoney", "SeviceMoney"), ("ElectMoney", "ServiceMoney"), ("elecMoney", "serviceMoney")],
)
def test_charge_status_money_spellings(elec: str, service: str) -> None:
    payload = {k: v for k, v in CHARGE_STATUS.items() if k not in ("ElecMoney", "SeviceMoney")}
    status = parse_wire(EquipChargeStatus, {**payload, elec: 0.09, service: 0.38})
    assert (status.elec_money, status.service_money) == (Decimal("0.09"), Decimal("0.38"))


def test_the_cec_spelling_wins_over_a_variant_and_the_variant_is_reported() -> None:
    order = parse_wire(ChargeOrderInfo, order_with(TotalServiceMoney=9.99))
    assert order.total_service_money == Decimal("1.13")
    assert "TotalServiceMoney" in unknown_fields(order)


@pytest.mark.parametrize(
    "key", ["ConnectorID", "connectorID", "ConnectorId", "connectorId", "CONNECTORID"]
)
def test_id_key_case_variants(key: str) -> None:
    info = parse_wire(ConnectorStatusInfo, {key: "0001", "status": 1})
    assert info.connector_id == "0001"


def test_station_key_case_variants_and_numeric_ids() -> None:
    page = parse_wire(
        QueryStationStatusResponse,
        {
            "stationStatusInfos": [
                {"stationID": 42, "connectorStatusInfos": {"connectorID": 1, "Status": "2"}}
            ]
        },
    )
    [station] = page.station_status_infos
    assert station.station_id == "42"
    assert [(c.connector_id, c.status) for c in station.connector_status_infos] == [("1", 2)]
    reports = station_status_reports(
        station, operator_id=OPERATOR, observed_at=RECEIVED, received_at=RECEIVED
    )
    assert [(r.connector_id, r.code) for r in reports] == [("1", 2)]


@pytest.mark.parametrize("station_id", ["000000000000001", "1", "310105MA002TMQX0009"])
def test_station_id_is_kept_as_given(station_id: str) -> None:
    info = copy.deepcopy(STATIONS_INFO["StationInfos"][0])
    info["StationID"] = station_id
    assert (
        station_record(parse_wire(StationInfo, info), jurisdiction_code="x").station_id
        == station_id
    )


@pytest.mark.parametrize(
    "shape",
    [
        STATION_STATUS["ConnectorStatusInfo"],
        [STATION_STATUS["ConnectorStatusInfo"]],
    ],
    ids=["object", "array"],
)
def test_connector_status_info_as_object_or_array(shape: Any) -> None:
    request = parse_wire(NotificationStationStatusRequest, {"ConnectorStatusInfo": shape})
    assert [i.status for i in request.connector_status_info] == [3]
    assert dump_wire(request) == STATION_STATUS  # always the standard's single object


def test_an_empty_status_notification_is_bad_data() -> None:
    bad_data(parse_wire, NotificationStationStatusRequest, {"ConnectorStatusInfo": []})


def test_several_connectors_cannot_be_sent_in_one_standard_notification() -> None:
    info = ConnectorStatusInfo(connector_id="1", status=1)
    request = NotificationStationStatusRequest(connector_status_info=[info, info])
    with pytest.raises(ValueError, match="one ConnectorStatusInfo"):
        dump_wire(request)


def test_unknown_fields_are_dropped_and_listed() -> None:
    payload = copy.deepcopy(STATIONS_INFO)
    payload["Vendor"] = "x"
    payload["StationInfos"][0]["HasParkingLock"] = 1
    payload["StationInfos"][0]["EquipmentInfos"][0]["ConnectorInfos"][0]["GunNo"] = 2
    page = parse_wire(QueryStationsInfoResponse, payload)
    assert unknown_fields(page) == [
        "Vendor",
        "StationInfos[0].HasParkingLock",
        "StationInfos[0].EquipmentInfos[0].ConnectorInfos[0].GunNo",
    ]
    assert "HasParkingLock" not in dump_wire(page)["StationInfos"][0]


def test_c2_misspellings_sum_period_and_stats_start_time() -> None:
    assert parse_wire(ChargeOrderInfo, {**order_with(), "SubPeriod": 3}).sum_period == 1
    payload = {k: v for k, v in CHARGE_ORDER.items() if k != "SumPeriod"}
    assert parse_wire(ChargeOrderInfo, {**payload, "SubPeriod": 3}).sum_period == 3
    stats = parse_wire(
        QueryStationStatsResponse,
        {
            "StationStats": {
                "StationID": "1",
                "StarTime": "2026-10-01",
                "EndTime": "2026-10-09",
                "StationElectricity": 120.5,
                "EquipmentStatsInfos": [
                    {
                        "EquipmentID": "e1",
                        "EquipmentElectricity": 120.5,
                        "ConnectorStatsInfos": [
                            {"ConnectorID": "1", "ConnectorElectricity": 120.5}
                        ],
                    }
                ],
            }
        },
    )
    assert (stats.station_stats.start_time, stats.station_stats.end_time) == (
        date(2026, 10, 1),
        date(2026, 10, 9),
    )
    assert stats.station_stats.equipment_stats_infos[0].connector_stats_infos[
        0
    ].connector_electricity == Decimal("120.5")


def test_numbers_may_arrive_as_strings_and_empty_optionals_as_blank() -> None:
    order = parse_wire(
        ChargeOrderInfo, order_with(TotalPower="2.25", TotalMoney="", StopReason="2")
    )
    assert (order.total_power, order.total_money, order.stop_reason) == (Decimal("2.25"), None, 2)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("TotalPower", "abc-secret-value"),
        ("TotalPower", True),
        ("TotalPower", None),
        ("StartTime", "09/10/2026 12:00"),
        ("ConnectorID", None),
    ],
)
def test_invalid_business_fields_are_bad_data_without_echoing_values(
    field: str, value: Any
) -> None:
    error = bad_data(parse_wire, ChargeOrderInfo, order_with(**{field: value}))
    assert field in error.msg
    assert "abc-secret-value" not in error.msg


def test_a_non_object_payload_is_bad_data() -> None:
    bad_data(parse_wire, ChargeOrderInfo, [CHARGE_ORDER])


# --- strict output --------------------------------------------------------------------------


def test_dump_wire_emits_the_cec_spellings() -> None:
    payload = order_with(ChargeDetails=[{**CHARGE_ORDER["ChargeDetails"][0]}])
    del payload["TotalSeviceMoney"]
    payload["totalServiceMoney"] = 1.13
    detail = payload["ChargeDetails"][0]
    detail["ServicePrice"] = detail.pop("SevicePrice")
    detail["DetailServiceMoney"] = detail.pop("DetailSeviceMoney")
    dumped = dump_wire(parse_wire(ChargeOrderInfo, payload))
    assert dumped == CHARGE_ORDER  # CEC spellings, numbers as numbers, local time text
    status = dump_wire(parse_wire(EquipChargeStatus, {**CHARGE_STATUS, "ElectMoney": 0.09}))
    assert "SeviceMoney" in status
    assert "ServiceMoney" not in status
    assert "ElectMoney" not in status


def test_dump_wire_renders_times_in_shanghai_and_omits_absent_fields() -> None:
    request = QueryStationsInfoRequest(last_query_time=datetime(2026, 10, 9, 4, 0, tzinfo=UTC))
    assert dump_wire(request) == {
        "LastQueryTime": "2026-10-09 12:00:00",
        "PageNo": 1,
        "PageSize": 10,
    }
    assert dump_wire(QueryStationsInfoRequest()) == {"PageNo": 1, "PageSize": 10}
    assert dump_wire(StatusResponse(status=0)) == {"Status": 0}


def test_station_ids_are_at_most_fifty() -> None:
    assert dump_wire(QueryStationStatusRequest(station_ids=["1", "2"])) == {
        "StationIDs": ["1", "2"]
    }
    with pytest.raises(ValidationError):
        QueryStationStatusRequest(station_ids=[str(i) for i in range(51)])
    bad_data(parse_wire, QueryStationStatusRequest, {"StationIDs": []})


def test_token_models_keep_secrets_out_of_repr() -> None:
    request = QueryTokenRequest(operator_id=OPERATOR, operator_secret="op-secret-value")
    assert "op-secret-value" not in repr(request)
    assert dump_wire(request) == {"OperatorID": OPERATOR, "OperatorSecret": "op-secret-value"}
    response = parse_wire(
        QueryTokenResponse,
        {
            "OperatorID": OPERATOR,
            "SuccStat": 0,
            "AccessToken": "tok-value",
            "TokenAvailableTime": 7200,
            "FailReason": 0,
        },
    )
    assert (response.succ_stat, response.token_available_time) == (0, 7200)
    assert "tok-value" not in repr(response)


# --- units and times -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwh", "wh"),
    [("2.25", 2250), ("0", 0), ("0.001", 1), ("1.0005", 1001), ("1.0004", 1000), ("12.34", 12340)],
)
def test_kwh_to_wh(kwh: str, wh: int) -> None:
    assert kwh_to_wh(Decimal(kwh)) == wh


@pytest.mark.parametrize(
    ("yuan", "fen"),
    [("0.28", 28), ("1.13", 113), ("1.005", 101), ("2.675", 268), ("0.125", 13), ("0.124", 12)],
)
def test_yuan_to_fen_rounds_half_up(yuan: str, fen: int) -> None:
    assert yuan_to_fen(Decimal(yuan)) == fen


def test_wire_numbers_become_decimals_from_their_text_not_float_math() -> None:
    # Float math gets 1.005 yuan wrong (1.005 * 100 == 100.49999999999999); the wire keeps the
    # sender's digits, so half-up rounding gives the 101 fen a person would expect.
    assert round(1.005 * 100) == 100
    order = parse_wire(ChargeOrderInfo, order_with(TotalMoney=1.005, TotalPower=0.1 + 0.2))
    assert order.total_money == Decimal("1.005")
    record = charge_order_record(order, operator_id=OPERATOR, received_at=RECEIVED)
    assert record.total_money_fen == 101
    assert record.energy_wh == 300  # 0.30000000000000004 kWh -> 300 Wh


def test_shanghai_local_time_becomes_utc() -> None:
    order = parse_wire(ChargeOrderInfo, order_with(StartTime="2026-10-09 12:00:00"))
    assert order.start_time.utcoffset() is not None
    record = charge_order_record(order, operator_id=OPERATOR, received_at=RECEIVED)
    assert record.start_at == datetime(2026, 10, 9, 4, 0, tzinfo=UTC)
    assert record.start_at.tzinfo is UTC


# --- what the domain cannot take ----------------------------------------------------------------


def test_unknown_connector_status_is_bad_data() -> None:
    info = ConnectorStatusInfo(connector_id="1", status=7)
    bad_data(status_report, info, operator_id=OPERATOR, observed_at=RECEIVED, received_at=RECEIVED)


@pytest.mark.parametrize(
    ("code", "accepted"), [(0, False), (1, True), (4, True), (255, True), (5, False)]
)
def test_charge_status_codes(code: int, accepted: bool) -> None:
    status = parse_wire(EquipChargeStatus, {**CHARGE_STATUS, "ConnectorStatus": code})
    if accepted:
        assert charge_status_report(status, operator_id=OPERATOR, received_at=RECEIVED).code == code
    else:
        bad_data(charge_status_report, status, operator_id=OPERATOR, received_at=RECEIVED)


def test_naive_observed_at_is_a_programming_error() -> None:
    info = ConnectorStatusInfo(connector_id="1", status=1)
    with pytest.raises(ValueError, match="timezone-aware"):
        status_report(
            info, operator_id=OPERATOR, observed_at=datetime(2026, 1, 1), received_at=RECEIVED
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"StartChargeSeq": "1" * 33},
        {"ConnectorID": "1" * 27},
        {"EndTime": "2026-10-09 11:59:59"},
        {"TotalPower": -1},
    ],
    ids=["seq-too-long", "connector-too-long", "ends-before-start", "negative-energy"],
)
def test_orders_the_domain_cannot_take_are_bad_data(changes: dict[str, Any]) -> None:
    order = parse_wire(ChargeOrderInfo, order_with(**changes))
    bad_data(charge_order_record, order, operator_id=OPERATOR, received_at=RECEIVED)


def test_an_operator_id_the_domain_cannot_take_is_bad_data() -> None:
    info = ConnectorStatusInfo(connector_id="1", status=1)
    error = bad_data(
        status_report, info, operator_id="short", observed_at=RECEIVED, received_at=RECEIVED
    )
    assert "operator_id" in error.msg


def test_equipment_without_connectors_is_bad_data() -> None:
    info = copy.deepcopy(STATIONS_INFO["StationInfos"][0])
    info["EquipmentInfos"][0]["ConnectorInfos"] = []
    error = bad_data(station_record, parse_wire(StationInfo, info), jurisdiction_code="x")
    assert "10000000000000000000003" in error.msg


def test_zero_coordinates_mean_unknown() -> None:
    info = copy.deepcopy(STATIONS_INFO["StationInfos"][0])
    info["StationLng"] = info["StationLat"] = 0
    record = station_record(parse_wire(StationInfo, info), jurisdiction_code="x")
    assert (record.lng_gcj02, record.lat_gcj02) == (None, None)


def test_optional_spec_fields_fall_back_to_domain_defaults() -> None:
    info = {
        "StationID": "1",
        "OperatorID": OPERATOR,
        "StationName": "n",
        "AreaCode": "310101",
        "StationType": 1,
        "StationStatus": 50,
        "EquipmentInfos": None,
    }
    record = station_record(parse_wire(StationInfo, info), jurisdiction_code="x")
    assert (record.address, record.construction, record.park_nums, record.equipment) == (
        "",
        255,
        0,
        [],
    )
