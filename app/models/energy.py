"""Energy rollups: what charging sessions add up to per connector, local day and period."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, SmallInteger, String
from sqlmodel import Field, SQLModel


class EnergyRollup(SQLModel, table=True):
    """Per connector, local day (Asia/Shanghai) and time-of-use period: energy in Wh (exact
    integer sums on both databases), charging seconds, and the sessions that started there.

    Written only in the transaction that writes the sessions (app.energy.service), as deltas;
    it always equals a recomputation from `charging_session` (tests/energy/test_properties.py).
    Months, communities, streets, districts and the city are sums of these rows.
    """

    __tablename__ = "energy_rollup"
    __table_args__ = (Index("ix_energy_rollup_local_date", "local_date"),)

    connector_pk: int = Field(
        sa_column=Column(Integer, ForeignKey("connector.id"), primary_key=True)
    )
    local_date: date = Field(primary_key=True)
    period: str = Field(sa_type=String(12), primary_key=True)
    energy_wh: int = Field(default=0, sa_type=BigInteger)
    charging_seconds: int = Field(default=0, sa_type=BigInteger)
    sessions: int = 0


class EnergyAreaRollup(SQLModel, table=True):
    """The same figures per area, local day and period, so that monthly energy of a district's
    streets or of a city's districts reads hundreds of rows, not a million.

    `level_len` is the length of the area's path at its level: 24 for streets (the rows that
    districts and the city sum) and 37 for communities. `area_path` is the path of the
    pile's jurisdiction cut to that length, as the pile was placed when its sessions were
    written (`pilehub energy rebuild` re-attributes after a pile moves). Streets and
    communities only: city and district rows would be one hot row per day that every
    concurrent session write in the city had to lock.
    """

    __tablename__ = "energy_area_rollup"

    level_len: int = Field(sa_column=Column(SmallInteger, primary_key=True))
    area_path: str = Field(sa_type=String(255), primary_key=True)
    local_date: date = Field(primary_key=True)
    period: str = Field(sa_type=String(12), primary_key=True)
    energy_wh: int = Field(default=0, sa_type=BigInteger)
    charging_seconds: int = Field(default=0, sa_type=BigInteger)
    sessions: int = 0
