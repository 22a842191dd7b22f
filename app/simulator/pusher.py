"""Pushing to the hub (operator → hub) with the shared T/CEC client, losing nothing.

At start: `notification_stationStatus` for the model's status history (every connector's
status at the start of the backfilled window, then every change in it, each stamped with its
own operator time), in time order, so the hub observes the whole window; then
`notification_charge_order_info` for every backfilled order in time order, a bounded number
in flight. Then, each tick, every status change and every closed order of the step.

The hub dates a status push by its envelope TimeStamp, so one push can only carry statuses
of the same second: the history's statuses of one instant (most connectors at the window's
start) share a push, up to `STATUS_BATCH` ConnectorStatusInfo (the standard sends one object;
the hub also takes a list), the rest go one per push. Up to `concurrency` pushes are in
flight, started in time order (the client's TimeStamps never go back, so they must also be
sealed in that order), and a connector's next status waits until its previous one is
answered, so the hub applies each connector's history in order.

The client retries what is worth retrying within one call (transport errors, 5xx, Ret -1,
a token refresh on 4002). What still fails waits in the pending queue and is retried every
`retry_interval` seconds, so nothing is lost while the hub is down (or has not onboarded the
simulator yet). After one failure the rest queue without being tried until the next retry
round, which sends the queue in order and stops trying again at its first failure:

* an order is retried until the hub answers it; the hub deduplicates by StartChargeSeq;
* a status waits per connector, and only the newest one is kept (the older ones are
  recorded as superseded): a status carries no time of its own, the hub dates it by the
  envelope TimeStamp, so re-sending old ones late would only replay stale states; while a
  connector has a status waiting, its newer changes join the queue instead of overtaking it.

A history push that fails therefore leaves only the connector's newest status waiting: with
the hub down at start, the hub later learns each connector's status at the window's end, as
it would from a pull, not its history.

Ret 4004 from the hub is final (it will never take that record): recorded as refused and
dropped. Each push is stamped with the simulated time of its event (`clock.stamped`), which
the hub takes as the observation time of a status.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

import structlog

from app.simulator.fleet import ConnectorStatus, Event, OrderFinished, StatusChange
from app.simulator.ledger import CHARGE_ORDER, STATION_STATUS, Kind, Outcome
from app.simulator.orders import ChargeOrder
from app.simulator.state import Push, SimulatorState
from app.tcec.errors import FeedError, FeedProtocolError
from app.tcec.ret import Ret
from app.tcec.wire import (
    ConnectorStatusInfo,
    NotificationStationStatusRequest,
    dump_wire,
)

log = structlog.get_logger(__name__)

STATUS_BATCH = 50  # ConnectorStatusInfo per history push at most (statuses of one second)


class Notifier(Protocol):
    """What the pusher needs of `TcecClient`."""

    async def notify(self, interface: str, payload: Any) -> Any: ...


def status_push(connector_id: str, status: int, at: datetime) -> Push:
    request = NotificationStationStatusRequest(
        connector_status_info=[ConnectorStatusInfo(connector_id=connector_id, status=status)]
    )
    return Push(STATION_STATUS, dump_wire(request), at, connector_id)


def statuses_push(statuses: Sequence[ConnectorStatus]) -> Push:
    """One push for statuses of different connectors observed at the same instant (the hub
    takes a list of ConnectorStatusInfo; one of them is sent as the standard's one object)."""
    if len(statuses) == 1:
        (only,) = statuses
        return status_push(only.connector_id, only.status, only.since)
    at = statuses[0].since
    if any(s.since != at for s in statuses) or len({s.connector_id for s in statuses}) != len(
        statuses
    ):
        raise ValueError("one push carries one instant and each connector once")
    infos = [
        dump_wire(ConnectorStatusInfo(connector_id=s.connector_id, status=s.status))
        for s in statuses
    ]
    key = ",".join(s.connector_id for s in statuses)
    return Push(STATION_STATUS, {"ConnectorStatusInfo": infos}, at, key)


def history_batches(
    history: Sequence[ConnectorStatus], size: int = STATUS_BATCH
) -> list[list[ConnectorStatus]]:
    """The history in time order, with consecutive statuses of one instant (each connector
    once) grouped into pushes of at most `size`."""
    batches: list[list[ConnectorStatus]] = []
    for status in history:
        last = batches[-1] if batches else None
        if (
            last is not None
            and len(last) < size
            and last[0].since == status.since
            and all(s.connector_id != status.connector_id for s in last)
        ):
            last.append(status)
        else:
            batches.append([status])
    return batches


def order_push(order: ChargeOrder) -> Push:
    return Push(CHARGE_ORDER, order.wire_payload(), order.end, order.start_charge_seq)


def _outcome(interface: str, result: Any) -> Outcome:
    if not isinstance(result, dict):
        return Outcome.DISPUTED if interface == CHARGE_ORDER else Outcome.IGNORED
    if interface == CHARGE_ORDER:
        return Outcome.DELIVERED if result.get("ConfirmResult") == 0 else Outcome.DISPUTED
    return Outcome.DELIVERED if result.get("Status") == 0 else Outcome.IGNORED


class Pusher:
    def __init__(
        self,
        state: SimulatorState,
        notifier: Notifier,
        *,
        concurrency: int = 8,
        tick: float = 0.5,
        retry_interval: float = 5.0,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.state = state
        self.notifier = notifier
        self.tick = tick
        self.retry_interval = retry_interval
        self._slots = asyncio.Semaphore(concurrency)
        self._last_retry = time.monotonic()
        # Set when a push found no usable answer; later pushes queue without trying (each try
        # would spend the client's retries) until the next retry round probes the hub again.
        self._hub_unavailable = False

    # --- one push -------------------------------------------------------------------------

    async def _send(self, push: Push) -> bool:
        """Deliver one push; True when it is settled (accepted, ignored or refused for good),
        False when it should be retried. Every attempt made is recorded."""
        state = self.state
        ret: int | None = None
        result: Any = None
        msg = ""
        stamped_at: datetime | None = None
        async with self._slots:
            if self._hub_unavailable:
                return False  # not sent, so not in the ledger; it waits in the queue
            try:
                with state.clock.stamped(push.at):
                    stamped_at = state.clock.stamp()
                    result = await self.notifier.notify(push.interface, push.payload)
                ret, outcome = int(Ret.OK), _outcome(push.interface, result)
            except FeedProtocolError as error:
                final = error.from_peer and error.ret == Ret.BAD_DATA
                ret, msg = error.ret, str(error)
                outcome = Outcome.REFUSED if final else Outcome.FAILED
            except FeedError as error:
                msg, outcome = str(error), Outcome.FAILED
        state.ledger.record(
            kind=Kind.PUSH,
            interface=push.interface,
            outcome=outcome,
            payload=push.payload,
            ret=ret,
            msg=msg,
            result=result,
            sim_time=state.clock.now(),
            wall_time=state.wall(),
            stamped_at=stamped_at,
        )
        if outcome is Outcome.FAILED:
            self._hub_unavailable = True
            log.info("simulator.push_failed", interface=push.interface, key=push.key, reason=msg)
        return outcome is not Outcome.FAILED

    def _supersede(self, old: Push) -> None:
        self.state.ledger.record(
            kind=Kind.PUSH,
            interface=old.interface,
            outcome=Outcome.SUPERSEDED,
            payload=old.payload,
            ret=None,
            msg="a newer status of the connector replaces it",
            sim_time=self.state.clock.now(),
            wall_time=self.state.wall(),
        )

    def _queue_status(self, push: Push) -> None:
        queued = self.state.pending.statuses.get(push.key)
        if queued is not None and queued is not push:
            self._supersede(queued)
        self.state.pending.statuses[push.key] = push

    # --- batches --------------------------------------------------------------------------

    async def _status(self, push: Push) -> None:
        if push.key in self.state.pending.statuses:
            self._queue_status(push)  # wait behind the one already waiting, never overtake
        elif not await self._send(push):
            self._queue_status(push)

    async def _order(self, push: Push) -> None:
        if not await self._send(push):
            self.state.pending.orders[push.key] = push

    async def push_orders(self, orders: Sequence[ChargeOrder]) -> None:
        """In time order (started in that order), at most `concurrency` in flight."""
        await asyncio.gather(*(self._order(order_push(o)) for o in orders))

    async def push_initial(self, orders: Sequence[ChargeOrder]) -> None:
        """The status history (the backfilled window's statuses), then the backfilled orders."""
        await self.push_history(self.state.model.status_history())
        await self.push_orders(sorted(orders, key=lambda o: (o.end, o.start_charge_seq)))

    async def push_history(self, history: Sequence[ConnectorStatus]) -> None:
        """Statuses stamped with their own times, oldest first: pushes start in time order
        (`concurrency` in flight, in the order they were started), and one waits for the
        previous push of any of its connectors to be answered."""
        last: dict[str, asyncio.Task[None]] = {}  # connector → its latest push
        for batch in history_batches(history):
            before = {last[s.connector_id] for s in batch if s.connector_id in last}
            if before:
                await asyncio.wait(before)
            task = asyncio.create_task(self._history_status(batch))
            for status in batch:
                last[status.connector_id] = task
        if last:
            await asyncio.gather(*set(last.values()))

    async def _history_status(self, batch: Sequence[ConnectorStatus]) -> None:
        if len(batch) == 1 or any(s.connector_id in self.state.pending.statuses for s in batch):
            for status in batch:  # behind a waiting status of its connector: one by one
                await self._status(status_push(status.connector_id, status.status, status.since))
        elif not await self._send(statuses_push(batch)):
            for status in batch:  # each connector waits with its own newest status
                self._queue_status(status_push(status.connector_id, status.status, status.since))

    async def push_events(self, events: Sequence[Event]) -> None:
        """One by one in time order. The client's TimeStamps never go back (SeqCounter), so
        sending concurrently could stamp an earlier change with a later second, and two
        changes of one connector with the same second, which the hub cannot order."""
        for event in events:
            if isinstance(event, StatusChange):
                await self._status(status_push(event.connector_id, event.status, event.at))
            elif isinstance(event, OrderFinished):
                await self._order(order_push(event.order))

    async def retry_pending(self) -> None:
        """One more try for everything waiting; what fails again keeps waiting."""
        pending = self.state.pending
        self._last_retry = time.monotonic()
        self._hub_unavailable = False
        statuses, pending.statuses = dict(pending.statuses), {}
        orders, pending.orders = dict(pending.orders), {}
        for push in sorted(statuses.values(), key=lambda p: p.at):
            await self._status(push)
        await asyncio.gather(*(self._order(p) for p in sorted(orders.values(), key=lambda p: p.at)))

    # --- the loop -------------------------------------------------------------------------

    async def run_once(self) -> None:
        """One tick: step the model, push what happened, maybe retry what waits."""
        self.state.advance()
        await self.push_events(self.state.drain())
        if self.state.pending and time.monotonic() - self._last_retry >= self.retry_interval:
            await self.retry_pending()

    async def run(self, stop: asyncio.Event, initial_orders: Sequence[ChargeOrder] = ()) -> None:
        await self.push_initial(initial_orders)
        while not stop.is_set():
            await self.run_once()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.tick)
            except TimeoutError:
                pass
