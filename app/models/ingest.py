"""Operator connections and ingest bookkeeping: credentials, hub-issued tokens, quarantine,
runs and checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.columns import JSONDocument, UTCDateTime
from app.core.time import utc_now
from app.models.base import BigIntKey


class OperatorConnection(SQLModel, table=True):
    """How the hub and one operator platform talk T/CEC 102, in both directions.

    Secrets are stored encrypted (Fernet, key from settings); they are decrypted only to sign,
    verify, encrypt and decrypt messages, and never leave the process.
    """

    __tablename__ = "operator_connection"

    id: int | None = Field(default=None, primary_key=True)
    operator_pk: int = Field(foreign_key="operator.id", unique=True)
    # The operator's interface root for pulls, e.g. https://evcs.example.cn/evcs/v1/
    base_url: str = Field(sa_type=String(255))
    # operator -> hub: OperatorSecret, DataSecret, DataSecretIV, SigSecret (encrypted JSON).
    inbound_secrets: str = Field(sa_type=Text)
    # hub -> operator: the same four, as the operator assigned them to the hub.
    outbound_secrets: str = Field(sa_type=Text)
    enabled: bool = True
    pull_interval_seconds: int = 300
    created_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class OperatorToken(SQLModel, table=True):
    """An AccessToken the hub issued to an operator (query_token); only its hash is kept."""

    __tablename__ = "operator_token"

    id: int | None = Field(default=None, primary_key=True)
    operator_pk: int = Field(foreign_key="operator.id", index=True)
    token_hash: str = Field(sa_type=String(64), unique=True)
    issued_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class QuarantineRecord(SQLModel, table=True):
    """A record the hub refused, kept with the reason so nothing is silently dropped."""

    __tablename__ = "quarantine_record"

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    operator_pk: int | None = Field(default=None, foreign_key="operator.id", index=True)
    source: str = Field(sa_type=String(64))
    reason: str = Field(sa_type=String(500))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONDocument))
    received_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime, index=True)


class IngestRun(SQLModel, table=True):
    """One pull (or reconciliation) against an operator, with what it counted."""

    __tablename__ = "ingest_run"

    id: int | None = Field(default=None, sa_column=Column(BigIntKey, primary_key=True))
    operator_pk: int = Field(foreign_key="operator.id", index=True)
    kind: str = Field(sa_type=String(32))
    started_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default="running", sa_type=String(16))
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSONDocument))
    error: str | None = Field(default=None, sa_type=String(500))


class IngestCheckpoint(SQLModel, table=True):
    """Where the next pull of a kind resumes (e.g. LastQueryTime for query_stations_info)."""

    __tablename__ = "ingest_checkpoint"
    __table_args__ = (UniqueConstraint("operator_pk", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    operator_pk: int = Field(foreign_key="operator.id")
    kind: str = Field(sa_type=String(32))
    value: str = Field(sa_type=String(64))
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
