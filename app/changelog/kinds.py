"""Every kind of change_event the hub logs. Pure data.

A kind is `family.what`; webhook subscriptions may name a family (`alert.*`).
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    CONNECTOR_STATUS = "connector.status"
    PILE_COLOUR = "pile.colour"
    PILE_MAINTENANCE = "pile.maintenance"
    ALERT_OPENED = "alert.opened"
    ALERT_ESCALATED = "alert.escalated"
    ALERT_REOPENED = "alert.reopened"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    ALERT_RESOLVED = "alert.resolved"
    SESSION_RECORDED = "session.recorded"
    REGISTRY_STATION = "registry.station"
    REGISTRY_JURISDICTION = "registry.jurisdiction"

    @property
    def family(self) -> str:
        return self.value.split(".", 1)[0]

    @staticmethod
    def is_alert(kind: str) -> bool:
        """Whether `kind` (a logged kind's text, or a pattern such as `alert.*`) is an alert's.
        By its family prefix, not by membership: an alert kind this code does not list still
        needs `alerts:read`."""
        return kind.startswith(_ALERT_PREFIX)


# The families, as plain text: `alert`, `connector`, `pile`, `registry`, `session`.
FAMILIES = frozenset(kind.family for kind in Kind)
_ALERT_PREFIX = f"{Kind.ALERT_OPENED.family}."
