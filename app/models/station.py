"""Registry tables: T/CEC 102 StationInfo, EquipmentInfo (a pile) and ConnectorInfo."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.columns import UTCDateTime
from app.core.time import utc_now


class Station(SQLModel, table=True):
    __tablename__ = "station"
    __table_args__ = (UniqueConstraint("operator_pk", "station_id"),)

    id: int | None = Field(default=None, primary_key=True)
    operator_pk: int = Field(foreign_key="operator.id")
    station_id: str = Field(sa_type=String(20))
    name: str = Field(sa_type=String(50))
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id", index=True)
    area_code: str = Field(sa_type=String(20))
    address: str = Field(default="", sa_type=String(100))
    station_type: int = 1
    station_status: int = 50
    construction: int = 255
    park_nums: int = 0
    # T/CEC coordinates are GCJ-02 and kept as received; GeoJSON output converts to WGS84.
    lng_gcj02: float | None = None
    lat_gcj02: float | None = None
    synthetic: bool = False
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Pile(SQLModel, table=True):
    """A charging pile (充电桩), i.e. a T/CEC EquipmentInfo; the board colours piles."""

    __tablename__ = "pile"
    __table_args__ = (UniqueConstraint("operator_pk", "equipment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    operator_pk: int = Field(foreign_key="operator.id")
    station_pk: int = Field(foreign_key="station.id", index=True)
    # The community (or other jurisdiction) the pile serves; scoping starts here.
    jurisdiction_id: int = Field(foreign_key="jurisdiction.id", index=True)
    equipment_id: str = Field(sa_type=String(23))
    name: str | None = Field(default=None, sa_type=String(30))
    manufacturer_id: str | None = Field(default=None, sa_type=String(9))
    manufacturer_name: str | None = Field(default=None, sa_type=String(30))
    model: str | None = Field(default=None, sa_type=String(20))
    production_date: date | None = None
    equipment_type: int = 2
    power_kw: float = 0.0
    lng_gcj02: float | None = None
    lat_gcj02: float | None = None
    colour: str = Field(default="unknown", sa_type=String(8), index=True)
    # The operator time of the report (or the rule's instant) that gave the pile its colour.
    colour_since: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    # Why it is yellow or red (app.status.colour.Cause); None when green or unknown.
    colour_cause: str | None = Field(default=None, sa_type=String(16))
    maintenance: bool = False
    maintenance_note: str | None = Field(default=None, sa_type=String(200))
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class Connector(SQLModel, table=True):
    __tablename__ = "connector"
    __table_args__ = (UniqueConstraint("operator_pk", "connector_id"),)

    id: int | None = Field(default=None, primary_key=True)
    operator_pk: int = Field(foreign_key="operator.id")
    pile_pk: int = Field(foreign_key="pile.id", index=True)
    connector_id: str = Field(sa_type=String(26))
    name: str | None = Field(default=None, sa_type=String(30))
    connector_type: int = 3
    voltage_upper: int = 220
    voltage_lower: int = 220
    current_a: int = 32
    power_kw: float = 0.0
    park_no: str | None = Field(default=None, sa_type=String(10))
    national_standard: int = 2
