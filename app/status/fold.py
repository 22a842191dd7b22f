"""Folding a batch of status reports over the current states, in memory (no I/O).

A report applies only if its (operator time, severity) key is newer than the current one,
so the result does not depend on arrival order or re-delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.models.states import ConnectorState
from app.status.codes import SEVERITY
from app.status.schemas import Outcome, StatusReport

HistoryKey = tuple[int, datetime, str]
_TICK = timedelta(microseconds=1)
# The ordering time of a state first learnt by polling: any pushed report supersedes it.
_BEFORE_ANY_PUSH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class CurrentState:
    state: str
    raw_code: int
    observed_at: datetime
    received_at: datetime
    since: datetime
    source: str
    dirty: bool = False

    def key(self) -> tuple[datetime, int]:
        return self.observed_at, SEVERITY[ConnectorState(self.state)]


@dataclass
class BatchFold:
    current: dict[int, CurrentState]
    # Polled statuses (query_station_status) carry no operator time, only the hub's clock.
    # They are the weakest evidence: they fill a gap or correct a state, but they are
    # ordered just after what was known, so every push the operator stamps later still
    # applies (a poll dated with the hub's clock would make those look late).
    polled: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)
    # Late reports (index of the report, its history row): kept unless already stored.
    late: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    # Every history row this batch writes, so a re-delivery within the batch is a duplicate.
    _written: set[HistoryKey] = field(default_factory=set)

    def apply(
        self,
        index: int,
        connector_pk: int,
        report: StatusReport,
        state: ConnectorState,
        received_at: datetime,
    ) -> Outcome:
        row = {
            "connector_pk": connector_pk,
            "status": state.value,
            "raw_code": report.code,
            "observed_at": report.observed_at,
            "received_at": received_at,
            "source": report.source,
            "applied": True,
        }
        existing = self.current.get(connector_pk)
        if self.polled:
            return self._poll(connector_pk, report, state, received_at, row, existing)
        if existing is None:
            self.current[connector_pk] = CurrentState(
                state=state.value,
                raw_code=report.code,
                observed_at=report.observed_at,
                received_at=received_at,
                since=report.observed_at,
                source=report.source,
                dirty=True,
            )
            self._write(row)
            return Outcome.CHANGED
        incoming = (report.observed_at, SEVERITY[state])
        if incoming == existing.key():
            return Outcome.DUPLICATE
        if incoming < existing.key():
            return self._late(index, row)
        changed = existing.state != state.value
        # A state first learnt by polling may have begun before the poll, as a push now says.
        existing.since = min(existing.since, report.observed_at)
        existing.observed_at, existing.received_at = report.observed_at, received_at
        existing.raw_code, existing.source, existing.dirty = report.code, report.source, True
        if not changed:
            return Outcome.UNCHANGED
        existing.state, existing.since = state.value, report.observed_at
        self._write(row)
        return Outcome.CHANGED

    def _poll(
        self,
        connector_pk: int,
        report: StatusReport,
        state: ConnectorState,
        received_at: datetime,
        row: dict[str, Any],
        existing: CurrentState | None,
    ) -> Outcome:
        if existing is not None and existing.state == state.value:
            return Outcome.UNCHANGED  # a confirmation: nothing to write, nothing re-dated
        # The state began at the latest at the poll, so `since` is the poll time (colour rules
        # time a fault from it); the ordering key stays just after the previous one.
        key_time = existing.observed_at + _TICK if existing is not None else _BEFORE_ANY_PUSH
        self.current[connector_pk] = CurrentState(
            state=state.value,
            raw_code=report.code,
            observed_at=key_time,
            received_at=received_at,
            since=report.observed_at,
            source=report.source,
            dirty=True,
        )
        self._write(row)
        return Outcome.CHANGED

    def _write(self, row: dict[str, Any]) -> None:
        self._written.add((row["connector_pk"], row["observed_at"], row["status"]))
        self.history.append(row)

    def _late(self, index: int, row: dict[str, Any]) -> Outcome:
        key = (row["connector_pk"], row["observed_at"], row["status"])
        if key in self._written:
            return Outcome.DUPLICATE
        self._written.add(key)
        self.late.append((index, {**row, "applied": False}))
        return Outcome.STALE

    def dirty_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "connector_pk": pk,
                "status": c.state,
                "raw_code": c.raw_code,
                "observed_at": c.observed_at,
                "received_at": c.received_at,
                "since": c.since,
                "source": c.source,
            }
            for pk, c in self.current.items()
            if c.dirty
        ]
