"""What feed adapters produce: pure data, handed to the domain services by the runner.

Adapters never touch the database; a T/CEC payload, an OCPI object or a simulator record all
become one of these.
"""

from __future__ import annotations

from app.piles.schemas import StationRecord
from app.sessions.schemas import ChargeOrderRecord
from app.status.schemas import StatusReport

Observation = StationRecord | StatusReport | ChargeOrderRecord

__all__ = ["ChargeOrderRecord", "Observation", "StationRecord", "StatusReport"]
