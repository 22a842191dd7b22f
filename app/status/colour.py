"""Board colour rules (architecture page, "Board colour"); pure functions, no I/O.

green: normal · yellow: faulted, or offline longer than the grace period · red: a fault open
longer than `red_after_fault`, or `repeated_fault_count` faults within the window, or flagged
for maintenance. A pile is the worst of its connectors; `unknown` only if none ever reported.

Every colour comes with its cause (why the pile has it) and the instant it began: the
operator time of the report that put a connector in that state, or the rule's own instant
for the rules that time alone applies (offline since + grace, fault since + red_after_fault).
The hub's clock is used only where nothing else dates a change: a staff action, and a colour
that improves with time alone (faults leaving the window).

A colour is judged as of an instant (`now` below): on the report path the operator time of
the newest report (a report is judged as of its own time), for the sweep and staff actions
the hub's clock. The rules time alone applies only count up to that instant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.core.config import ColourRules
from app.models.states import Cause, Colour, ConnectorState

_RANK = {Colour.UNKNOWN: -1, Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}


def rank(colour: Colour) -> int:
    """Order of badness: unknown < green < yellow < red."""
    return _RANK[colour]


@dataclass(frozen=True, slots=True)
class ColourSince:
    colour: Colour
    since: datetime
    cause: Cause | None = None  # None for green and unknown


@dataclass(frozen=True, slots=True)
class ConnectorView:
    state: ConnectorState
    since: datetime


@dataclass(frozen=True, slots=True)
class Transition:
    """A connector left state `before` at operator time `at` (a report of this batch)."""

    before: ConnectorView
    at: datetime


# States in which a connector is green whatever the clock says (connector_colour).
# Plain strings: a stored state is looked up as one, and str-to-enum equality is slower.
_IN_SERVICE = frozenset(
    state.value
    for state in (ConnectorState.AVAILABLE, ConnectorState.OCCUPIED, ConnectorState.CHARGING,
                  ConnectorState.RESERVED)
)  # fmt: skip


def colour_may_change(previous: str | None, current: str) -> bool:
    """Whether a connector moving from `previous` to `current` can change its pile's colour.

    The states are ConnectorState values, or their plain strings as stored (a StrEnum member
    and its string are equal and hash alike).

    Between in-service states (the bulk of a feed: idle <-> charging) the connector stays
    green and so does its pile; what time alone changes (offline grace, a long fault) is the
    sweep's to apply.
    """
    return not (previous in _IN_SERVICE and current in _IN_SERVICE)


def repeated_since(
    faults: Sequence[datetime], *, now: datetime, rules: ColourRules
) -> datetime | None:
    """When a pile's faults within the window ending at `now` reached the repeated-fault
    count: the operator time of the count-th of them (oldest first); None if they have not.
    `faults` are the operator times of its applied fault reports, in any order."""
    window = sorted(f for f in faults if now - rules.repeated_fault_window <= f <= now)
    count = rules.repeated_fault_count
    return window[count - 1] if len(window) >= count else None


def connector_colour(
    connector: ConnectorView,
    *,
    now: datetime,
    repeated_since: datetime | None,
    rules: ColourRules,
) -> ColourSince:
    """A connector's colour as of `now`, its cause and the instant it began.

    `repeated_since` is when the pile's faults within the window reached
    `repeated_fault_count` (the operator time of that fault), None if they have not.
    """
    state, since = connector.state, connector.since
    if state is ConnectorState.FAULTED:
        return _fault_colour(since, now=now, repeated_since=repeated_since, rules=rules)
    if state is ConnectorState.OFFLINE:
        yellow_at = since + rules.offline_grace
        if now >= yellow_at:
            return ColourSince(Colour.YELLOW, yellow_at, Cause.OFFLINE)
    if state is ConnectorState.UNKNOWN:
        return ColourSince(Colour.UNKNOWN, since)
    return ColourSince(Colour.GREEN, since)


def _fault_colour(
    since: datetime, *, now: datetime, repeated_since: datetime | None, rules: ColourRules
) -> ColourSince:
    # Red by whichever rule applied first: the fault's own age, or the count of faults
    # (never before this fault itself was reported).
    red: list[ColourSince] = []
    if now >= (red_at := since + rules.red_after_fault):
        red.append(ColourSince(Colour.RED, red_at, Cause.LONG_FAULT))
    if repeated_since is not None:
        red.append(ColourSince(Colour.RED, max(since, repeated_since), Cause.REPEATED_FAULT))
    if red:
        return min(red, key=lambda c: c.since)
    return ColourSince(Colour.YELLOW, since, Cause.FAULT)


def derive_pile_colour(
    connectors: Sequence[ConnectorView],
    *,
    maintenance: bool,
    now: datetime,
    repeated_since: datetime | None,
    rules: ColourRules,
    previous: ColourSince | None,
    transitions: Sequence[Transition] = (),
    floor: datetime | None = None,
) -> ColourSince:
    """The pile's colour (worst connector; red while flagged), its cause, and since when.

    `previous` is the colour stored for the pile; `transitions` are what this batch's
    reports changed on its connectors; `floor` is the time of a staff action (maintenance
    flag) that can change the colour on its own.

    Since when (README, "Status and colour rules"): a pile that got worse has had its new
    colour since the first of its connectors now at that colour took it (the report's
    operator time, or the rule's instant). A pile that got better has had it since the
    report that took its last connector out of the worse colour, and never since before
    that worse colour began; when a staff action made it better, since that action; when
    time alone did, since `now` (the sweep). A flagged pile is red since the flag.
    """
    if maintenance:
        return ColourSince(Colour.RED, floor or now, Cause.MAINTENANCE)
    if not connectors:
        return ColourSince(Colour.UNKNOWN, now)
    views = [
        connector_colour(c, now=now, repeated_since=repeated_since, rules=rules) for c in connectors
    ]
    top = max(rank(v.colour) for v in views)
    # The worst colour, dated by the first connector that took it (they have held it since).
    first = min((v for v in views if rank(v.colour) == top), key=_by_instant)
    since = first.since
    if previous is not None and rank(previous.colour) > top:
        released = _released_at(transitions, below=top, now=now, repeated_since=repeated_since,
                                rules=rules)  # fmt: skip
        since = max(since, released or floor or now, previous.since)
    if floor is not None:
        since = max(since, floor)
    return ColourSince(first.colour, min(since, now), first.cause)


def _by_instant(colour: ColourSince) -> tuple[datetime, str]:
    # Ties go to a fixed cause, so the same inputs always name the same one.
    return colour.since, colour.cause or ""


def _released_at(
    transitions: Sequence[Transition],
    *,
    below: int,
    now: datetime,
    repeated_since: datetime | None,
    rules: ColourRules,
) -> datetime | None:
    """The latest operator time at which a connector left a colour worse than `below`, as
    the hub saw that colour (at `now`); None if no report of the batch did."""
    times = [
        t.at
        for t in transitions
        if rank(
            connector_colour(t.before, now=now, repeated_since=repeated_since, rules=rules).colour
        )
        > below
    ]
    return max(times, default=None)
