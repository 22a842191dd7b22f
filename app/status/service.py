"""Status use cases: record reports, derive board colours, read history.

Reports are processed in batches with a fixed number of statements per batch, whatever its
size: the hub has to keep up with a city's 2 million status changes a day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts import service as alerts_service
from app.alerts.schemas import ColourChange
from app.auth.principal import Principal
from app.changelog import repository as events_repository
from app.changelog.events import event
from app.changelog.kinds import Kind
from app.core.config import ColourRules
from app.core.metrics import STATUS_REPORTS
from app.core.pagination import PageParams, next_cursor
from app.core.time import utc_now
from app.models.states import Colour, ConnectorState, stored_cause
from app.piles import repository as piles_repository
from app.piles.errors import PileNotFound
from app.status import repository
from app.status.codes import TCEC_STATES, state_for_tcec_code
from app.status.colour import (
    ColourSince,
    ConnectorView,
    Transition,
    colour_may_change,
    derive_pile_colour,
    rank,
    repeated_since,
)
from app.status.errors import ConnectorNotFound, StatusReportRejected
from app.status.fold import BatchFold, CurrentState
from app.status.repository import KnownConnector, PileColourInputs
from app.status.schemas import (
    Outcome,
    RecordResult,
    StatusChangePublic,
    StatusHistoryPage,
    StatusReport,
)

# Results without a reason are values: one each, shared by every report of every batch.
_RESULTS = {outcome: RecordResult(outcome) for outcome in Outcome}


async def record_status_reports(
    session: AsyncSession,
    reports: Sequence[StatusReport],
    *,
    rules: ColourRules,
    now: datetime | None = None,
    polled: bool = False,
) -> list[RecordResult]:
    """Record a batch of connector status reports; one result per report, in order.

    Out-of-order and duplicate reports never move a state backwards: a report applies only
    if its (operator time, severity) is newer than the current one. `polled` reports (from
    query_station_status, timed only by the hub) fill gaps and correct states but never
    outrank the operator's own pushes (see app/status/fold.py).
    """
    now = now or utc_now()
    results: list[RecordResult | None] = [None] * len(reports)
    keys = await _resolve_connectors(session, reports, results)
    fold = BatchFold(
        {
            known.connector_pk: CurrentState(*known.current)
            for known in keys.values()
            if known.current is not None
        },
        polled=polled,
    )
    events: list[dict[str, Any]] = []
    # Per pile whose colour may change: what its connectors left, and when (colour_since).
    transitions: dict[int, list[Transition]] = {}
    # Per pile: the newest operator time among the reports of this batch that applied to its
    # connectors. A report is judged as of its own time (README, "Status and colour rules"):
    # the passing of time since then is the sweep's to apply.
    as_of: dict[int, datetime] = {}
    for index in sorted(keys, key=lambda i: reports[i].observed_at):
        report, known = reports[index], keys[index]
        state = state_for_tcec_code(report.code)
        assert state is not None  # unknown codes were rejected in _resolve_connectors
        current = fold.current.get(known.connector_pk)  # updated in place by apply
        before = (current.state, current.since) if current is not None else None
        outcome = fold.apply(index, known.connector_pk, report, state, report.received_at or now)
        results[index] = _RESULTS[outcome]
        if outcome is Outcome.CHANGED or outcome is Outcome.UNCHANGED:
            # Stale and duplicate reports change nothing, so they judge nothing either.
            as_of[known.pile_pk] = max(as_of.get(known.pile_pk, report.observed_at),
                                       report.observed_at)  # fmt: skip
        if outcome is Outcome.CHANGED:
            if colour_may_change(before[0] if before else None, state):
                left = transitions.setdefault(known.pile_pk, [])
                if before is not None:
                    view = ConnectorView(ConnectorState(before[0]), before[1])
                    left.append(Transition(view, fold.current[known.connector_pk].since))
            events.append(_status_event(report, state, known, now))
    for index in await _drop_stored_late_reports(session, fold):
        results[index] = _RESULTS[Outcome.DUPLICATE]
    await repository.insert_history(session, fold.history + [row for _, row in fold.late])
    await repository.upsert_current(session, fold.dirty_rows())
    judged = {pile_pk: min(as_of[pile_pk], now) for pile_pk in transitions}
    piles = await _colour_inputs(session, transitions, rules=rules, now=now, as_of=judged)
    await _refresh_colours(
        session, piles, rules=rules, now=now, floor=None, events=events, transitions=transitions,
        as_of=judged,
    )  # fmt: skip
    await events_repository.insert(session, events)
    final = [result for result in results if result is not None]
    assert len(final) == len(reports), "every report is resolved or rejected"
    for outcome, count in Counter(result.outcome for result in final).items():
        STATUS_REPORTS.labels(outcome.value).inc(count)
    return final


async def _drop_stored_late_reports(session: AsyncSession, fold: BatchFold) -> list[int]:
    """Remove late reports already in history (re-deliveries); returns their report indexes."""
    if not fold.late:
        return []
    stored = await repository.history_keys(session, [row for _, row in fold.late])
    duplicates = {
        index
        for index, row in fold.late
        if (row["connector_pk"], row["observed_at"], row["status"]) in stored
    }
    fold.late = [(index, row) for index, row in fold.late if index not in duplicates]
    return sorted(duplicates)


async def record_status_report(
    session: AsyncSession, report: StatusReport, *, rules: ColourRules
) -> RecordResult:
    """Record one report; a rejected report raises `StatusReportRejected` with its reason."""
    (result,) = await record_status_reports(session, [report], rules=rules)
    if result.outcome is Outcome.REJECTED:
        raise StatusReportRejected(result.reason or "rejected", reason=result.reason)
    return result


async def _resolve_connectors(
    session: AsyncSession, reports: Sequence[StatusReport], results: list[RecordResult | None]
) -> dict[int, KnownConnector]:
    """Map report index -> its connector (keys, current state); mark the others rejected."""
    pairs = [(report.operator_id, report.connector_id) for report in reports]
    wanted = set(pairs)
    known = await repository.known_connectors(session, wanted)
    # Only a miss needs to know whether the operator exists (for the reason given).
    operators = {operator_id for operator_id, _ in known}
    missing = {operator_id for operator_id, _ in wanted.difference(known)} - operators
    if missing:
        operators |= set(await piles_repository.operator_pks(session, missing))
    keys: dict[int, KnownConnector] = {}
    for index, (report, pair) in enumerate(zip(reports, pairs, strict=True)):
        connector = known.get(pair)
        if connector is not None and report.code in TCEC_STATES:
            keys[index] = connector
        elif report.operator_id not in operators:
            results[index] = RecordResult(
                Outcome.REJECTED, f"unknown operator {report.operator_id}"
            )
        elif report.code not in TCEC_STATES:
            results[index] = RecordResult(Outcome.REJECTED, f"unknown status code {report.code}")
        else:
            results[index] = RecordResult(
                Outcome.REJECTED, f"unknown connector {report.connector_id}"
            )
    return keys


# A batch's reports share a few instants (a poll has one), and isoformat() costs more than
# the rest of building an event. Safe as a cache only because report times are all in UTC
# (StatusReport converts them): equal instants at other offsets would share one text.
_isoformat = lru_cache(maxsize=1024)(datetime.isoformat)
# Reading an enum member costs ~100 ns on Python 3.11: the per-report kinds, read once.
_CONNECTOR_STATUS, _PILE_COLOUR = Kind.CONNECTOR_STATUS, Kind.PILE_COLOUR


def _status_event(
    report: StatusReport, state: ConnectorState, known: KnownConnector, now: datetime
) -> dict[str, Any]:
    return event(
        _CONNECTOR_STATUS,
        subject=f"connector:{known.connector_pk}",
        area_path=known.area_path,
        payload={
            "connector_id": known.connector_pk,
            "operator_connector_id": report.connector_id,
            "pile_id": known.pile_pk,
            "status": state.value,
            "raw_code": report.code,
            "observed_at": _isoformat(report.observed_at),
            "source": report.source,
        },
        occurred_at=now,
    )


async def refresh_pile_colours(
    session: AsyncSession,
    pile_pks: set[int] | list[int],
    *,
    rules: ColourRules,
    now: datetime,
    floor: datetime | None = None,
) -> int:
    """Re-derive the colour of the given piles; store and log each change. Returns the count."""
    if not pile_pks:
        return 0
    piles = await _colour_inputs(session, pile_pks, rules=rules, now=now)
    events: list[dict[str, Any]] = []
    changed = await _refresh_colours(
        session, piles, rules=rules, now=now, floor=floor, events=events, transitions={}
    )
    await events_repository.insert(session, events)
    return changed


async def _colour_inputs(
    session: AsyncSession,
    pile_pks: Iterable[int],
    *,
    rules: ColourRules,
    now: datetime,
    as_of: Mapping[int, datetime] | None = None,
) -> list[PileColourInputs]:
    # Every pile is judged at or after its as-of (before `now`): their windows lie in this.
    earliest = min(as_of.values(), default=now) if as_of else now
    return await repository.colour_inputs(
        session, pile_pks, faults_from=earliest - rules.repeated_fault_window, faults_until=now
    )


async def _refresh_colours(
    session: AsyncSession,
    piles: Sequence[PileColourInputs],
    *,
    rules: ColourRules,
    now: datetime,
    floor: datetime | None,
    events: list[dict[str, Any]],
    transitions: Mapping[int, Sequence[Transition]],
    as_of: Mapping[int, datetime] | None = None,
) -> int:
    """Derive and store colours and causes; append a `pile.colour` event per change to
    `events` (the caller writes all of a transaction's events in one statement). Returns how
    many piles changed colour.

    Each pile is judged as of `as_of[pile]` (the report path: its newest report's operator
    time), else as of `now` (the sweep, staff actions), but never before the instant its
    yellow or red began: a colour the hub has shown (a sweep's offline or long fault) is not
    undone by a report dated before it. `now` (the hub's clock) dates the events.

    A colour's since is set when the colour changes and kept until it changes again: the
    board, the events and the alerts all carry that one stored instant. A new cause under
    the same colour (a red pile's maintenance flag cleared, its fault still open) is stored
    and logged too, with the colour's since unchanged."""
    changes: list[ColourChange] = []
    for pile in piles:
        previous = ColourSince(
            Colour(pile.colour), pile.colour_since, stored_cause(pile.colour_cause)
        )
        at = as_of.get(pile.id, now) if as_of is not None else now
        if rank(previous.colour) > rank(Colour.GREEN):
            at = min(max(at, previous.since), now)
        derived = derive_pile_colour(
            [ConnectorView(ConnectorState(state), since) for state, since in pile.connectors],
            maintenance=pile.maintenance, now=at,
            repeated_since=repeated_since(pile.faults, now=at, rules=rules),
            rules=rules, previous=previous, transitions=transitions.get(pile.id, ()), floor=floor,
        )  # fmt: skip
        recoloured = derived.colour is not previous.colour
        if not recoloured and derived.cause is previous.cause:
            continue
        current = derived if recoloured else replace(derived, since=previous.since)
        changes.append(
            ColourChange(
                pile_pk=pile.id, equipment_id=pile.equipment_id, community=pile.code,
                area_path=pile.path, colour=current.colour.value, since=current.since,
                cause=current.cause, recoloured=recoloured,
            )
        )  # fmt: skip
        events.append(_colour_event(pile, current, previous, now))
    await repository.set_pile_colours(
        session,
        [
            {"pile_pk": c.pile_pk, "colour": c.colour, "since": c.since, "cause": c.cause}
            for c in changes
        ],
    )
    # Alerts follow the colours, in the same transaction.
    await alerts_service.follow_colours(session, changes, rules=rules, now=now, events=events)
    return sum(1 for c in changes if c.recoloured)


def _colour_event(
    pile: PileColourInputs, current: ColourSince, previous: ColourSince, now: datetime
) -> dict[str, Any]:
    return event(
        _PILE_COLOUR,
        subject=f"pile:{pile.id}",
        area_path=pile.path,
        payload={
            "pile_id": pile.id,
            "equipment_id": pile.equipment_id,
            "community": pile.code,
            "colour": current.colour.value,
            "previous": previous.colour.value,
            "since": current.since.isoformat(),
            "cause": current.cause.value if current.cause else None,
            "previous_cause": previous.cause.value if previous.cause else None,
        },
        occurred_at=now,
    )


async def sweep_colours(session: AsyncSession, *, rules: ColourRules, now: datetime) -> int:
    """Apply the time-based rules (offline grace, long fault); returns piles changed."""
    pile_pks = await repository.piles_with_time_rules(session)
    return await refresh_pile_colours(session, pile_pks, rules=rules, now=now)


async def connector_history(
    session: AsyncSession, principal: Principal, *, connector_id: int, page: PageParams
) -> StatusHistoryPage:
    """List a connector's status changes, newest first."""
    connector = await piles_repository.get_visible_connector(session, principal, connector_id)
    if connector is None or connector.id is None:
        raise ConnectorNotFound(f"No connector {connector_id} in your area.")
    rows = await repository.history_page(
        session, connector.id, before_id=page.after_id, limit=page.fetch_limit
    )
    shown, more = page.cut(rows)
    items = [StatusChangePublic.model_validate(row, from_attributes=True) for row in shown]
    return StatusHistoryPage(
        connector_id=connector.id,
        items=items,
        next_cursor=next_cursor(items[-1].id if items else None, more),
    )


async def set_maintenance(
    session: AsyncSession,
    principal: Principal,
    *,
    pile_id: int,
    flagged: bool,
    note: str | None,
    rules: ColourRules,
) -> None:
    """Flag a pile for maintenance (red until cleared) or clear the flag."""
    if await piles_repository.get_visible(session, principal, pile_id) is None:
        raise PileNotFound(f"No pile {pile_id} in your area.")
    await piles_repository.set_maintenance(session, pile_id, flagged=flagged, note=note)
    now = utc_now()
    piles = await _colour_inputs(session, {pile_id}, rules=rules, now=now)
    # Logged even when the colour stays (a red pile flagged): boards show the flag too.
    events = [
        event(
            Kind.PILE_MAINTENANCE,
            subject=f"pile:{pile_id}",
            area_path=piles[0].path,
            payload={"pile_id": pile_id, "maintenance": flagged, "note": note},
            occurred_at=now,
        )
    ]
    await _refresh_colours(
        session, piles, rules=rules, now=now, floor=now, events=events, transitions={}
    )
    await events_repository.insert(session, events)
