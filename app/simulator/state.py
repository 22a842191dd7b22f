"""What the simulator's app and its pusher share: the model, clocks, tokens, ledger, queues.

One event loop owns it; nothing here awaits, so a handler or the pusher sees a consistent
state. Both move the model forward through `advance()`, which leaves the events in the outbox
for the pusher: an answer to a pull is never older than the simulated now, and no change is
pushed twice or skipped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.time import utc_now
from app.simulator.clock import SimClock
from app.simulator.credentials import (
    DEFAULT_HUB_OPERATOR_ID,
    DEMO_CREDENTIALS,
    SimulatorCredentials,
)
from app.simulator.fleet import Event, FleetModel
from app.simulator.ledger import Ledger
from app.simulator.tokens import TokenStore


@dataclass(slots=True)
class Push:
    """One notification to deliver; `at` is the simulated time it describes."""

    interface: str
    payload: dict[str, Any]
    at: datetime
    key: str  # ConnectorID for a status, StartChargeSeq for an order


@dataclass(slots=True)
class PendingQueue:
    """Pushes that failed and wait for a retry: orders by StartChargeSeq, and per connector
    only its newest status (an older one would land after a newer one)."""

    statuses: dict[str, Push] = field(default_factory=dict)
    orders: dict[str, Push] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.statuses) + len(self.orders)


@dataclass(slots=True)
class SimulatorState:
    model: FleetModel
    clock: SimClock
    ledger: Ledger = field(default_factory=Ledger)
    credentials: SimulatorCredentials = DEMO_CREDENTIALS
    hub_operator_id: str = DEFAULT_HUB_OPERATOR_ID
    wall: Callable[[], datetime] = utc_now
    tokens: TokenStore = field(default_factory=TokenStore)
    # When the catalogue last changed, for query_stations_info's LastQueryTime.
    catalogue_modified_at: datetime = field(default_factory=utc_now)
    history: tuple[datetime, datetime] | None = None  # the backfilled window
    outbox: deque[Event] = field(default_factory=deque)
    pending: PendingQueue = field(default_factory=PendingQueue)

    @property
    def operator_id(self) -> str:
        return self.credentials.operator_id

    def advance(self) -> None:
        """Step the model to the simulated now; its events wait in the outbox."""
        self.outbox.extend(self.model.step(self.clock.now()))

    def drain(self) -> list[Event]:
        events = list(self.outbox)
        self.outbox.clear()
        return events

    def community_of(self) -> dict[str, str]:
        """ConnectorID → community code, for the ledger's energy fold."""
        return {spec.connector_id: spec.community_code for spec in self.model.specs}
