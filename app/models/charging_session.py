from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.columns import JSONDocument, UTCDateTime
from app.core.time import utc_now
from app.models.base import BigIntKey


class ChargingSession(SQLModel, table=True):
    """A T/CEC charge order; idempotent by (operator, StartChargeSeq).

    Energy is kept in integer watt-hours and money in integer fen (分), so sums are exact on
    both databases (T/CEC sends kWh and yuan with 2 decimals).
    """

    __tablename__ = "charging_session"
    __table_args__ = (UniqueConstraint("operator_pk", "start_charge_seq"),)

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    operator_pk: int = Field(foreign_key="operator.id")
    start_charge_seq: str = Field(sa_type=String(32))
    connector_pk: int = Field(
        sa_column=Column(ForeignKey("connector.id"), nullable=False, index=True)
    )
    start_at: datetime = Field(sa_type=UTCDateTime)
    end_at: datetime = Field(sa_type=UTCDateTime)
    energy_wh: int = Field(sa_type=BigInteger)
    elec_money_fen: int | None = Field(default=None, sa_type=BigInteger)
    service_money_fen: int | None = Field(default=None, sa_type=BigInteger)
    total_money_fen: int | None = Field(default=None, sa_type=BigInteger)
    stop_reason: int | None = None
    # ChargeDetails periods as received, normalised to {start, end, energy_wh, ...}.
    details: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONDocument))
    received_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
