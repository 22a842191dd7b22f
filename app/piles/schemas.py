"""Registry shapes: what operators report (records) and what the API returns (public)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.core.time import instant
from app.models.states import Cause, Colour, ConnectorState


class ConnectorRecord(BaseModel):
    """A T/CEC 102 ConnectorInfo, as mapped from the wire."""

    connector_id: str = Field(min_length=1, max_length=26)
    name: str | None = None
    connector_type: int = 3
    voltage_upper: int = 220
    voltage_lower: int = 220
    current_a: int = 32
    power_kw: float = 0.0
    park_no: str | None = None
    national_standard: int = 2


class EquipmentRecord(BaseModel):
    """A T/CEC 102 EquipmentInfo (a pile)."""

    equipment_id: str = Field(min_length=1, max_length=23)
    name: str | None = None
    manufacturer_id: str | None = None
    manufacturer_name: str | None = None
    model: str | None = None
    production_date: date | None = None
    equipment_type: int = 2
    power_kw: float = 0.0
    lng_gcj02: float | None = None
    lat_gcj02: float | None = None
    # The community the pile serves, when it differs from the station's.
    jurisdiction_code: str | None = None
    connectors: list[ConnectorRecord] = Field(min_length=1)


class StationRecord(BaseModel):
    """A T/CEC 102 StationInfo with its equipment, placed in a jurisdiction of the hub."""

    operator_id: str = Field(min_length=9, max_length=9)
    station_id: str = Field(min_length=1, max_length=20)
    name: str
    jurisdiction_code: str
    area_code: str
    address: str = ""
    station_type: int = 1
    station_status: int = 50
    construction: int = 255
    park_nums: int = 0
    lng_gcj02: float | None = None
    lat_gcj02: float | None = None
    synthetic: bool = False
    equipment: list[EquipmentRecord] = Field(default_factory=list)


class JurisdictionRef(BaseModel):
    code: str
    name: str
    level: str


class StationRef(BaseModel):
    id: int
    station_id: str
    name: str


class Location(BaseModel):
    """WGS84 longitude and latitude (converted from the operator's GCJ-02)."""

    lng: float
    lat: float


class ConnectorPublic(BaseModel):
    id: int
    connector_id: str
    name: str | None
    connector_type: int
    power_kw: float
    status: ConnectorState = Field(description="`unknown` until the connector first reports.")
    raw_code: int | None
    status_since: datetime | None = Field(description=instant("Operator time the status began."))
    observed_at: datetime | None = Field(description=instant("Operator time of the newest report."))
    received_at: datetime | None = Field(
        description=instant("When the hub received the newest report.")
    )
    source: str | None


class PilePublic(BaseModel):
    id: int
    operator_id: str
    equipment_id: str
    name: str | None
    equipment_type: int
    power_kw: float
    colour: Colour
    colour_since: datetime = Field(
        description=instant(
            "Since when the pile has had this colour: the operator time of the report that "
            "gave it the colour, or the rule's instant (offline since + grace, fault since + "
            "red_after_fault); a staff flag's time for maintenance."
        )
    )
    colour_cause: Cause | None = Field(description="Why yellow or red; null when green or unknown.")
    maintenance: bool
    community: JurisdictionRef
    station: StationRef
    location: Location | None
    synthetic: bool = Field(description="True for demo data that is not from a real operator.")
    connectors: list[ConnectorPublic]


class PilePage(BaseModel):
    items: list[PilePublic]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at end.")
