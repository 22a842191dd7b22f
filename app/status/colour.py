"""Board colour rules (architecture page, "Board colour"); pure functions, no I/O.

green: normal · yellow: faulted, or offline longer than the grace period · red: a fault open
longer than `red_after_fault`, or `repeated_fault_count` faults within the window, or flagged
for maintenance. A pile is the worst of its connectors; `unknown` only if none ever reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.core.config import ColourRules
from app.status.codes import ConnectorState


class Colour(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    UNKNOWN = "unknown"


_RANK = {Colour.UNKNOWN: -1, Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}


@dataclass(frozen=True, slots=True)
class ColourSince:
    colour: Colour
    since: datetime


@dataclass(frozen=True, slots=True)
class ConnectorView:
    state: ConnectorState
    since: datetime


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


def connector_colour(
    connector: ConnectorView, *, now: datetime, recent_faults: int, rules: ColourRules
) -> ColourSince:
    state, since = connector.state, connector.since
    if state is ConnectorState.FAULTED:
        if recent_faults >= rules.repeated_fault_count:
            return ColourSince(Colour.RED, since)
        red_at = since + rules.red_after_fault
        if now >= red_at:
            return ColourSince(Colour.RED, red_at)
        return ColourSince(Colour.YELLOW, since)
    if state is ConnectorState.OFFLINE:
        yellow_at = since + rules.offline_grace
        if now >= yellow_at:
            return ColourSince(Colour.YELLOW, yellow_at)
    if state is ConnectorState.UNKNOWN:
        return ColourSince(Colour.UNKNOWN, since)
    return ColourSince(Colour.GREEN, since)


def worst(colours: list[ColourSince]) -> ColourSince:
    top = max(_RANK[c.colour] for c in colours)
    # Among the worst, the pile has been that colour since the earliest of them.
    return min((c for c in colours if _RANK[c.colour] == top), key=lambda c: c.since)


def derive_pile_colour(
    connectors: list[ConnectorView],
    *,
    maintenance: bool,
    now: datetime,
    recent_faults: int,
    rules: ColourRules,
    previous_since: datetime | None,
    floor: datetime | None = None,
) -> ColourSince:
    """The pile's colour (worst connector; red while flagged) and since when.

    `floor` is the time of a staff action (maintenance flag) that can change the colour on
    its own; the colour cannot date from before the previous change or that action.
    """
    if maintenance or not connectors:
        colour = Colour.RED if maintenance else Colour.UNKNOWN
        candidate = now
    else:
        views = [
            connector_colour(c, now=now, recent_faults=recent_faults, rules=rules)
            for c in connectors
        ]
        top = worst(views)
        colour, candidate = top.colour, top.since
    bounds = [t for t in (candidate, previous_since, floor) if t is not None]
    return ColourSince(colour, min(max(bounds), now))
