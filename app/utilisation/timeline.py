"""A connector's time, from its status history and its sessions (pure, no I/O).

Definitions (also in README "Energy and analytics"):

* The window is the range cut at now: the future is never counted.
* A status holds from its report's operator time until the next applied report. Inside the
  window, the connector starts in the status of its last report before the window, or
  `unknown` if it never reported.
* **Observed** time is the window minus unknown time: from the connector's first report (or
  the window's start, if it had reported before) on. Every figure below is inside it: time
  before the first report is unknown, not available, and a session then is not evidence of
  how much of that time the connector was free.
* **Out of service**: faulted or offline. **Busy**: occupied, charging or reserved by status,
  or inside a charging session (sessions count even while the link is down). **Available**
  time is observed time minus out-of-service time that is not busy, so busy ≤ available.
* **Charging** time is the union of the connector's sessions (T/CEC charge StartTime–EndTime)
  inside observed time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

Interval = tuple[datetime, datetime]

UNKNOWN = "unknown"
BUSY = frozenset({"occupied", "charging", "reserved"})
OUT_OF_SERVICE = frozenset({"faulted", "offline"})


def status_intervals(
    initial: str, changes: Sequence[tuple[datetime, str]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime, str]]:
    """[start, end) as (from, to, status) pieces: `initial` until the first change, each
    change until the next. `changes` are in time order and inside the window."""
    pieces: list[tuple[datetime, datetime, str]] = []
    moment, status = start, initial
    for at, new in changes:
        at = min(max(at, start), end)
        if at > moment:
            pieces.append((moment, at, status))
        moment, status = max(moment, at), new
    if end > moment:
        pieces.append((moment, end, status))
    return pieces


def union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for a, b in sorted(i for i in intervals if i[1] > i[0]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def subtract(intervals: Sequence[Interval], minus: Sequence[Interval]) -> list[Interval]:
    """`intervals` without `minus` (both unions, in order)."""
    result: list[Interval] = []
    for a, b in intervals:
        cursor = a
        for c, d in minus:
            if d <= cursor or c >= b:
                continue
            if c > cursor:
                result.append((cursor, c))
            cursor = max(cursor, d)
        if cursor < b:
            result.append((cursor, b))
    return result


def intersect(intervals: Sequence[Interval], within: Sequence[Interval]) -> list[Interval]:
    """The parts of `intervals` inside `within` (both unions, in order)."""
    return subtract(intervals, subtract(intervals, within))


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(a, start), min(b, end)) for a, b in intervals if b > start and a < end]


@dataclass(frozen=True, slots=True)
class ConnectorTime:
    """A connector's observed, busy, charging and out-of-service time inside the window
    (unions; the last three inside the first)."""

    observed: list[Interval]
    busy: list[Interval]
    charging: list[Interval]
    down: list[Interval]  # out of service and not busy


def connector_time(
    pieces: Sequence[tuple[datetime, datetime, str]],
    sessions: Iterable[Interval],
    start: datetime,
    end: datetime,
) -> ConnectorTime:
    observed = union((a, b) for a, b, s in pieces if s != UNKNOWN)
    charging = intersect(union(clip(sessions, start, end)), observed)
    busy = union([*((a, b) for a, b, s in pieces if s in BUSY), *charging])
    down = subtract(union((a, b) for a, b, s in pieces if s in OUT_OF_SERVICE), busy)
    return ConnectorTime(observed, busy, charging, down)


def seconds(intervals: Iterable[Interval]) -> float:
    return sum((b - a).total_seconds() for a, b in intervals)


def simultaneous(timelines: Sequence[Sequence[Interval]], at_least: int) -> list[Interval]:
    """When at least `at_least` of the timelines are inside one of their intervals."""
    if at_least <= 0 or at_least > len(timelines):
        return []
    events = sorted(
        (moment, step)
        for timeline in timelines
        for a, b in timeline
        for moment, step in ((a, 1), (b, -1))
    )
    found: list[Interval] = []
    count, since = 0, None
    for moment, step in events:  # at a tie the -1 sorts first: touching intervals don't add
        before = count
        count += step
        if before < at_least <= count:
            since = moment
        elif count < at_least <= before and since is not None:
            found.append((since, moment))
            since = None
    return union(found)
