"""The demo catalogue as T/CEC 102 StationInfo objects (S2 §4.3–4.5; ref §4.2–4.4).

The same stations the hub seeds its registry from (`app.catalogue.beixinjing.demo_catalogue`),
so IDs match. The fee texts describe the synthetic tariff the orders are priced with.
"""

from __future__ import annotations

from typing import Any

from app.catalogue.beixinjing import Station
from app.simulator.tariff import Tariff
from app.tcec.wire import StationInfo, dump_wire, parse_wire

SERVICE_TEL = "95598"  # State Grid's service line (S7: 95598-7)


def _fees(tariff: Tariff) -> tuple[str, str]:
    periods = list(tariff.periods)
    parts = []
    for period, following in zip(periods, periods[1:] + periods[:1], strict=True):
        span = f"{period.start:%H:%M}-{following.start:%H:%M}"
        parts.append(f"{period.name} {span} {period.elec_price}元/kWh")
    return "；".join(parts) + " (synthetic)", f"{tariff.service_price}元/kWh (synthetic)"


def station_info(record: Station, tariff: Tariff) -> dict[str, Any]:
    """One station with its piles and connectors, as wire data in the CEC spelling."""
    electricity_fee, service_fee = _fees(tariff)
    raw = {
        "StationID": record.station_id,
        "OperatorID": record.operator_id,
        "EquipmentOwnerID": record.operator_id,  # State Grid owns what it runs
        "StationName": record.name,
        "CountryCode": "CN",
        "AreaCode": record.area_code,
        "Address": record.address,
        "ServiceTel": SERVICE_TEL,
        "StationType": record.station_type,
        "StationStatus": record.station_status,
        "ParkNums": record.park_nums,
        "StationLng": record.lng_gcj02,
        "StationLat": record.lat_gcj02,
        "Construction": record.construction,
        "BusineHours": "00:00-24:00",
        "ElectricityFee": electricity_fee,
        "ServiceFee": service_fee,
        "Payment": "线上",
        "SupportOrder": 0,
        "Remark": "synthetic demo data (PileHub State Grid simulator)",
        "EquipmentInfos": [
            {
                "EquipmentID": equipment.equipment_id,
                "EquipmentName": equipment.name,
                "EquipmentType": equipment.equipment_type,
                "Power": equipment.power_kw,
                "EquipmentLng": equipment.lng_gcj02,
                "EquipmentLat": equipment.lat_gcj02,
                "ConnectorInfos": [
                    {
                        "ConnectorID": connector.connector_id,
                        "ConnectorName": connector.name,
                        "ConnectorType": connector.connector_type,
                        "VoltageUpperLimits": connector.voltage_upper,
                        "VoltageLowerLimits": connector.voltage_lower,
                        "Current": connector.current_a,
                        "Power": connector.power_kw,
                        "NationalStandard": connector.national_standard,
                    }
                    for connector in equipment.connectors
                ],
            }
            for equipment in record.equipment
        ],
    }
    return dump_wire(parse_wire(StationInfo, raw))
