"""Pydantic models of the decrypted T/CEC 102 `Data` objects (102.2 public info, 102.3 business,
102.4 query_token), liberal on input and strict on output.

Input (real partners are not strict, ref §4.8):
* keys are matched case-insensitively (`connectorID`, `ConnectorId`, `stationID` …);
* known misspellings are folded onto the CEC name: `Service*` → `Sevice*`, `ElectMoney` →
  `ElecMoney`, C2's `SubPeriod` → `SumPeriod` and `StarTime` → `StartTime`;
* a list field also takes a single object, and `null` for an empty list
  (`ConnectorStatusInfo` is one object in the standard, an array from sloppy senders);
* numbers arrive as JSON numbers or numeric strings; IDs sent as numbers become strings, and
  IDs are kept exactly as given (a StationID may or may not be zero-padded, ref §4);
* unknown keys are dropped but their names kept in `unknown_keys` (see `unknown_fields`) so
  the receiver can log them.

Presence: a field is required here when the spec requires it *and* the hub cannot default it
(identities, names, type/status codes, times, energy). Spec-required fields the hub does not use
or can default (ServiceTel, CountryCode, voltages …) are optional so one sloppy field does not
drop a whole catalogue page.

Output: `dump_wire` emits exactly the CEC spellings (`SeviceMoney` …), omits absent optional
fields, renders money/energy as JSON numbers and times as Asia/Shanghai local text.

Times (ref §4): business date-times are "yyyy-MM-dd HH:mm:ss" in Asia/Shanghai local time and
are held here as aware datetimes in that zone; stats dates are "yyyy-MM-dd".
Money (yuan) and energy (kWh) are `Decimal`, built from the number's shortest text
(`Decimal(str(x))`), so 0.28 stays exactly 0.28.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_serializer,
    model_validator,
)

from app.core.time import LOCAL_TZ
from app.tcec.ret import Ret, TcecError

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
_INPUT_DATETIME_FORMATS = (DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S")

# lower-case variant -> CEC spelling; applied only to models that have the CEC field.
_SPELLINGS: dict[str, str] = {
    # The CEC text spells "Sevice" (S3; C2); Xiaoju 1.4.0 and others fix it (C1).
    "servicemoney": "SeviceMoney",
    "totalservicemoney": "TotalSeviceMoney",
    "serviceprice": "SevicePrice",
    "detailservicemoney": "DetailSeviceMoney",
    # Xiaoju's query response says "ElectMoney" (C1 protocol-coverage.md).
    "electmoney": "ElecMoney",
    "totalelectmoney": "TotalElecMoney",
    "detailelectmoney": "DetailElecMoney",
    "electprice": "ElecPrice",
    # C2 emits these (ref §4.8).
    "subperiod": "SumPeriod",
    "startime": "StartTime",
}

_ACRONYMS = {"id": "ID", "ids": "IDs"}


def _pascal(name: str) -> str:
    """station_id -> StationID, station_ids -> StationIDs (S2 revision 2016-08-17 "首字母大写")."""
    return "".join(_ACRONYMS.get(part, part.capitalize()) for part in name.split("_"))


# --- field types -------------------------------------------------------------------------

# Every integer of the protocol is a code, a count, a duration or a reading that fits in 32 bits;
# bounding them here refuses an absurd number (2^64) as bad data (4004), per record, before it
# reaches a database column that would overflow.
WireInt = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
# Except where senders are known to put more: one public server sends TokenAvailableTime as an
# epoch in milliseconds.
WireLong = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]


def _to_decimal(value: Any) -> Any:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        # str(float) is the shortest text that round-trips, i.e. what the sender wrote for
        # 2-4 dp values: 0.28 -> Decimal("0.28"), not 0.28000000000000002665.
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError("expected a decimal number") from None
        if not number.is_finite():
            raise ValueError("expected a finite number")
        return number
    raise ValueError("expected a number")


def _to_local_datetime(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetime must be timezone-aware")
        return value.astimezone(LOCAL_TZ)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        for fmt in _INPUT_DATETIME_FORMATS:
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=LOCAL_TZ)
            except ValueError:
                continue
    raise ValueError("expected 'yyyy-MM-dd HH:mm:ss' (Asia/Shanghai local time)")


def _to_date(value: Any) -> Any:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
        local = _to_local_datetime(text)  # some senders give a full date-time
        return local.date()
    raise ValueError("expected 'yyyy-MM-dd'")


def _local_text(value: datetime) -> str:
    return value.astimezone(LOCAL_TZ).strftime(DATETIME_FORMAT)


def _one_or_many(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [value]
    return value


T = TypeVar("T")

# Each type has an Optional twin whose validator sits outside the `| None`, so that "" from a
# sloppy sender becomes None instead of failing both union branches.
WireDecimal = Annotated[
    Decimal,
    BeforeValidator(_to_decimal),
    PlainSerializer(float, return_type=float, when_used="json"),
]
OptionalDecimal = Annotated[
    Decimal | None,
    BeforeValidator(_to_decimal),
    PlainSerializer(float, return_type=float, when_used="json-unless-none"),
]
LocalDateTime = Annotated[
    datetime,
    BeforeValidator(_to_local_datetime),
    PlainSerializer(_local_text, return_type=str, when_used="json"),
]
OptionalLocalDateTime = Annotated[
    datetime | None,
    BeforeValidator(_to_local_datetime),
    PlainSerializer(_local_text, return_type=str, when_used="json-unless-none"),
]
WireDate = Annotated[date, BeforeValidator(_to_date)]
OptionalDate = Annotated[date | None, BeforeValidator(_to_date)]
OneOrMany = Annotated[list[T], BeforeValidator(_one_or_many)]


# --- base ----------------------------------------------------------------------------------


class WireModel(BaseModel):
    """Base: PascalCase aliases, case-insensitive keys, spelling variants, unknown keys kept."""

    model_config = ConfigDict(
        alias_generator=_pascal,
        validate_by_alias=True,
        validate_by_name=True,
        coerce_numbers_to_str=True,
        extra="ignore",
    )

    unknown_keys: tuple[str, ...] = Field(default=(), exclude=True, repr=False)

    _key_lookup: ClassVar[dict[str, str]] = {}
    _aliases: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        lookup: dict[str, str] = {}
        for name, field in cls.model_fields.items():
            if name == "unknown_keys":
                continue
            alias = field.alias or name
            lookup[alias.lower()] = alias
            lookup[name] = alias  # Python-side construction by field name
        for variant, canonical in _SPELLINGS.items():
            if canonical.lower() in lookup:
                lookup[variant] = canonical
        cls._key_lookup = lookup
        cls._aliases = frozenset(lookup.values())

    @model_validator(mode="before")
    @classmethod
    def _normalise_keys(cls, data: Any) -> Any:
        # `dict` first: parsed JSON always is one, and an ABC check costs more than the rest.
        if not isinstance(data, dict) and not isinstance(data, Mapping):
            return data  # a model instance, or junk pydantic will report
        if data.keys() <= cls._aliases:  # every key spelt as the standard: nothing to map
            return data  # (unknown_keys keeps its default, ())
        out: dict[str, Any] = {}
        source: dict[str, str] = {}
        unknown: list[str] = []
        for key, value in data.items():
            text = str(key)
            target = cls._key_lookup.get(text) or cls._key_lookup.get(text.lower())
            if target is None or (target in out and text != target):
                unknown.append(text)  # unknown, or a second spelling of a field already set
                continue
            if target in out:  # the exact CEC spelling beats a variant seen earlier
                unknown.append(source[target])
            out[target], source[target] = value, text
        out["unknown_keys"] = tuple(unknown)
        return out


M = TypeVar("M", bound=WireModel)


def parse_wire(model: type[M], payload: Any) -> M:
    """Validate decrypted Data as `model`; invalid business fields answer 4004 (S1 §6.4.2)."""
    if not isinstance(payload, Mapping):
        raise TcecError(Ret.BAD_DATA, f"{model.__name__} must be a JSON object")
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise TcecError(Ret.BAD_DATA, f"{model.__name__}: {validation_summary(exc)}") from None


def validation_summary(exc: ValidationError, limit: int = 3) -> str:
    """Field paths and reasons, without the offending values (they go back to the partner)."""
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    parts = [
        f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
        for err in errors[:limit]
    ]
    more = len(errors) - limit
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")


def dump_wire(model: WireModel) -> dict[str, Any]:
    """The model as CEC-spelled JSON data, ready for `envelope.seal_request/seal_response`."""
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def unknown_fields(model: WireModel, prefix: str = "") -> list[str]:
    """Dotted paths of every dropped input key in `model` and its children, for logging."""
    found = [f"{prefix}{key}" for key in model.unknown_keys]
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{field.alias or name}"
        if isinstance(value, WireModel):
            found += unknown_fields(value, f"{path}.")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, WireModel):
                    found += unknown_fields(item, f"{path}[{index}].")
    return found


# --- enums worth naming (ref §4.9); fields stay int because 2-99 are custom ---------------


class SuccStat(IntEnum):
    SUCCESS = 0
    FAILURE = 1


class NotificationStatus(IntEnum):
    ACCEPTED = 0  # 接受
    IGNORED = 1  # 丢弃/忽略，不需要重试


class ConfirmResultCode(IntEnum):
    CONFIRMED = 0  # 成功
    DISPUTED = 1  # 争议交易


# --- 102.2 public information (S2 §4.3-4.10) -------------------------------------------


class ConnectorInfo(WireModel):
    """S2 §4.5."""

    connector_id: str
    connector_name: str | None = None
    connector_type: WireInt
    voltage_upper_limits: WireInt | None = None  # V
    voltage_lower_limits: WireInt | None = None  # V; AC may repeat the upper value
    current: WireInt | None = None  # A
    power: float | None = None  # kW, 1 dp
    park_no: str | None = None
    national_standard: WireInt | None = None  # 1 = GB/T 2011, 2 = 2015


class EquipmentInfo(WireModel):
    """S2 §4.4 with the final text's additions (S5)."""

    equipment_id: str
    manufacturer_id: str | None = None
    manufacturer_name: str | None = None
    equipment_model: str | None = None
    production_date: OptionalDate = None
    equipment_type: WireInt  # 1 DC, 2 AC, 3 AC/DC, 4 wireless, 5 other
    connector_infos: OneOrMany[ConnectorInfo] = Field(default_factory=list)
    equipment_lng: float | None = None
    equipment_lat: float | None = None
    power: float | None = None  # kW, 1 dp
    equipment_name: str | None = None


class StationInfo(WireModel):
    """S2 §4.3; coordinates are GCJ-02."""

    station_id: str
    operator_id: str
    equipment_owner_id: str | None = None
    station_name: str
    country_code: str | None = None
    area_code: str  # GB/T 2260
    address: str | None = None
    station_tel: str | None = None
    service_tel: str | None = None
    station_type: WireInt
    station_status: WireInt
    park_nums: WireInt | None = None  # 0 = unknown
    station_lng: float | None = None
    station_lat: float | None = None
    site_guide: str | None = None
    construction: WireInt | None = None
    pictures: list[str] | None = None
    match_cars: str | None = None
    park_info: str | None = None
    business_hours: str | None = Field(default=None, alias="BusineHours")  # sic (S2)
    electricity_fee: str | None = None
    service_fee: str | None = None
    park_fee: str | None = None
    payment: str | None = None
    support_order: WireInt | None = None
    remark: str | None = None
    equipment_infos: OneOrMany[EquipmentInfo] = Field(default_factory=list)


class ConnectorStatusInfo(WireModel):
    """S2 §4.6 (final text: no currents/voltages/SOC, S5 item 2)."""

    connector_id: str
    status: WireInt  # 0 offline, 1 idle, 2 occupied, 3 charging, 4 reserved, 255 fault
    park_status: WireInt | None = None  # 0 unknown, 10 free, 50 occupied
    lock_status: WireInt | None = None  # 0 unknown, 10 unlocked, 50 locked


class StationStatusInfo(WireModel):
    """S2 §4.7."""

    station_id: str
    connector_status_infos: OneOrMany[ConnectorStatusInfo] = Field(default_factory=list)


class ConnectorStatsInfo(WireModel):
    """S2 §4.10."""

    connector_id: str
    connector_electricity: OptionalDecimal = None  # kWh


class EquipmentStatsInfo(WireModel):
    """S2 §4.9."""

    equipment_id: str
    equipment_electricity: OptionalDecimal = None  # kWh
    connector_stats_infos: OneOrMany[ConnectorStatsInfo] = Field(default_factory=list)


class StationStatsInfo(WireModel):
    """S2 §4.8."""

    station_id: str
    start_time: WireDate
    end_time: WireDate
    station_electricity: WireDecimal  # kWh, 1 dp
    equipment_stats_infos: OneOrMany[EquipmentStatsInfo] = Field(default_factory=list)


# --- 102.2 interface bodies (S2 §6; ref §4.7) ---------------------------------------------


class QueryStationsInfoRequest(WireModel):
    last_query_time: OptionalLocalDateTime = None  # absent/empty = everything
    page_no: WireInt = 1
    page_size: WireInt = 10


class QueryStationsInfoResponse(WireModel):
    page_no: WireInt
    page_count: WireInt
    item_size: WireInt
    station_infos: OneOrMany[StationInfo] = Field(default_factory=list)


class QueryStationStatusRequest(WireModel):
    station_ids: list[str] = Field(min_length=1, max_length=50)  # ≤ 50 (S2 §6)


class QueryStationStatusResponse(WireModel):
    total: WireInt | None = None  # only in the draft example
    station_status_infos: OneOrMany[StationStatusInfo] = Field(default_factory=list)


class QueryStationStatsRequest(WireModel):
    station_id: str
    start_time: WireDate
    end_time: WireDate


class QueryStationStatsResponse(WireModel):
    station_stats: StationStatsInfo


class StationStatusPush(WireModel):
    """notification_stationStatus as received: its ConnectorStatusInfo objects are read one at
    a time (as `ConnectorStatusInfo`), so that one bad record does not hold back the others."""

    connector_status_info: OneOrMany[Any] = Field(min_length=1)


class NotificationStationStatusRequest(WireModel):
    """One connector's status push; the standard sends one object (S2 §6.3)."""

    connector_status_info: OneOrMany[ConnectorStatusInfo] = Field(min_length=1)

    @field_serializer("connector_status_info", mode="wrap")
    def _one_object(self, value: Any, handler: SerializerFunctionWrapHandler) -> Any:
        items = handler(value)
        if len(items) != 1:
            raise ValueError("the standard carries one ConnectorStatusInfo per notification")
        return items[0]


class StatusResponse(WireModel):
    """Response of notification_stationStatus (and of C2's notification_stationFee)."""

    status: WireInt  # NotificationStatus


# --- 102.3 business (S3; ref §4.8) ----------------------------------------------------------


class ChargeDetail(WireModel):
    """One ChargeDetails period (S3 §6.6.4); prices/money optional since the final text (S5)."""

    detail_start_time: LocalDateTime
    detail_end_time: LocalDateTime
    elec_price: OptionalDecimal = None  # yuan/kWh, 4 dp
    service_price: OptionalDecimal = Field(default=None, alias="SevicePrice")
    detail_power: WireDecimal  # kWh, 2 dp
    detail_elec_money: OptionalDecimal = None  # yuan, 2 dp
    detail_service_money: OptionalDecimal = Field(default=None, alias="DetailSeviceMoney")


class ChargeOrderInfo(WireModel):
    """Request of notification_charge_order_info: the bill at the end of a session (S3)."""

    start_charge_seq: str  # OperatorID + unique number, 27 chars
    connector_id: str
    start_time: LocalDateTime
    end_time: LocalDateTime
    total_power: WireDecimal  # kWh, 2 dp
    total_elec_money: OptionalDecimal = None  # yuan, 2 dp
    total_service_money: OptionalDecimal = Field(default=None, alias="TotalSeviceMoney")
    total_money: OptionalDecimal = None
    stop_reason: WireInt | None = None
    sum_period: WireInt | None = None
    charge_details: OneOrMany[ChargeDetail] = Field(default_factory=list)


class ChargeOrderInfoResponse(WireModel):
    start_charge_seq: str
    connector_id: str
    confirm_result: WireInt  # ConfirmResultCode; 2-99 custom


class EquipChargeStatus(WireModel):
    """Request of notification_equip_charge_status / response of query_equip_charge_status."""

    start_charge_seq: str
    start_charge_seq_stat: WireInt  # 1 starting, 2 charging, 3 stopping, 4 ended, 5 unknown
    connector_id: str
    connector_status: WireInt  # 1, 2, 3, 4, 255 (no 0 here)
    current_a: float | None = None
    current_b: float | None = None
    current_c: float | None = None
    voltage_a: float | None = None
    voltage_b: float | None = None
    voltage_c: float | None = None
    soc: float | None = None
    start_time: OptionalLocalDateTime = None
    end_time: LocalDateTime  # the sample time
    total_power: OptionalDecimal = None  # kWh, 2 dp
    elec_money: OptionalDecimal = None
    service_money: OptionalDecimal = Field(default=None, alias="SeviceMoney")
    total_money: OptionalDecimal = None
    sum_period: WireInt | None = None
    charge_details: OneOrMany[ChargeDetail] = Field(default_factory=list)


class EquipChargeStatusResponse(WireModel):
    start_charge_seq: str
    succ_stat: WireInt  # SuccStat


# --- 102.4 Appendix A: query_token ------------------------------------------------------------


class QueryTokenRequest(WireModel):
    operator_id: str
    operator_secret: str = Field(repr=False)


class QueryTokenResponse(WireModel):
    operator_id: str
    succ_stat: WireInt  # SuccStat
    access_token: str = Field(default="", repr=False)
    token_available_time: WireLong = 0  # seconds (or, from one server, epoch ms)
    fail_reason: WireInt = 0  # 0 none, 1 unknown operator, 2 wrong secret, 3-99 custom
