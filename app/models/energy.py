"""Energy rollups: what charging sessions add up to per connector, local day and period."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String
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
