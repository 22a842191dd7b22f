"""Every table model; importing this module registers them all on SQLModel.metadata."""

from app.models.alert import Alert
from app.models.audit import AuditRecord
from app.models.auth import ApiClient, RevokedToken, SigningKey, UsedAssertion
from app.models.base import BigIntKey
from app.models.change_event import ChangeEvent
from app.models.charging_session import ChargingSession
from app.models.energy import EnergyAreaRollup, EnergyRollup
from app.models.ingest import (
    IngestCheckpoint,
    IngestRun,
    OperatorConnection,
    OperatorToken,
    QuarantineRecord,
)
from app.models.jurisdiction import Jurisdiction, JurisdictionLevel
from app.models.operator import Operator
from app.models.screen import DeviceAuthorization, Screen, ScreenRefreshToken
from app.models.station import Connector, Pile, Station
from app.models.status import ConnectorStatus, StatusChange
from app.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Alert",
    "ApiClient",
    "AuditRecord",
    "RevokedToken",
    "SigningKey",
    "UsedAssertion",
    "BigIntKey",
    "ChangeEvent",
    "ChargingSession",
    "Connector",
    "EnergyAreaRollup",
    "EnergyRollup",
    "IngestCheckpoint",
    "IngestRun",
    "ConnectorStatus",
    "DeviceAuthorization",
    "Jurisdiction",
    "JurisdictionLevel",
    "Operator",
    "OperatorConnection",
    "OperatorToken",
    "Pile",
    "QuarantineRecord",
    "Screen",
    "ScreenRefreshToken",
    "Station",
    "StatusChange",
    "WebhookDelivery",
    "WebhookEndpoint",
]
