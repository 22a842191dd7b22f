"""Uptime arithmetic on a connector's status pieces (pure, no I/O).

The range is cut at now (nothing after it is counted) and split into *observed* time, when the
connector's status was known, and *unknown* time, before its first report: observed + unknown
= the range up to now. Every share of time is over observed time only; unknown time is no
evidence either way, so it is neither uptime nor outage.

* NEVI-style (23 CFR 680.116(b), generalised from a year to the range):
  µ = (T − (T_outage − T_excluded)) / T, where T is the observed time, T_outage the time the
  connector was faulted or offline for longer than the offline grace (a shorter link drop does
  not stop anyone charging), and T_excluded the part of that outage inside an alert that staff
  resolved with an outage reason (scheduled maintenance, utility outage, vandalism, natural
  disaster, vehicle fault).
* UK-style (Public Charge Point Regulations 2023): time is classed by status as available,
  in use (occupied, charging, reserved), out of service (the NEVI outage), a short link drop,
  or unknown (no report yet); reliability = in service ÷ observed time, against the 99 %
  target.
* Both are stated only when at least `min_coverage` of the range up to now was observed
  (PILEHUB_ENERGY__MIN_COVERAGE); otherwise they are null with the reason, and so is the
  target's verdict: too little seen is never a pass.
* A fault is an entry into `faulted` from a known status; its repair time runs until the
  status leaves it. MTTR averages the faults repaired inside the range (a fault open at the
  start, or at the first report, counts from there); with no repaired fault it is null.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.utilisation.timeline import Interval, clip, seconds, union

IN_USE = frozenset({"occupied", "charging", "reserved"})
UK_TARGET = 0.99

Piece = tuple[datetime, datetime, str]


@dataclass(slots=True)
class Tally:
    """Seconds and counts for a connector, or summed for a pile or an area."""

    total: float = 0.0
    available: float = 0.0
    in_use: float = 0.0
    out_of_service: float = 0.0
    short_offline: float = 0.0
    unknown: float = 0.0
    excluded: float = 0.0
    faults: int = 0
    repairs: list[float] = field(default_factory=list)

    def __iadd__(self, other: Tally) -> Tally:
        for name in ("total", "available", "in_use", "out_of_service", "short_offline",
                     "unknown", "excluded", "faults"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.repairs += other.repairs
        return self

    @property
    def observed(self) -> float:
        return self.total - self.unknown

    @property
    def uptime(self) -> float | None:
        """µ over observed time (None when nothing was observed)."""
        if self.observed <= 0:
            return None
        return (self.observed - (self.out_of_service - self.excluded)) / self.observed

    @property
    def reliability(self) -> float | None:
        known = self.observed
        return (known - self.out_of_service) / known if known > 0 else None

    @property
    def mttr(self) -> float | None:
        return sum(self.repairs) / len(self.repairs) if self.repairs else None


def merge(pieces: Sequence[Piece]) -> list[Piece]:
    """Adjacent pieces of the same status as one."""
    merged: list[Piece] = []
    for a, b, status in pieces:
        if merged and merged[-1][2] == status and merged[-1][1] == a:
            merged[-1] = (merged[-1][0], b, status)
        else:
            merged.append((a, b, status))
    return merged


def tally(
    pieces: Sequence[Piece],
    *,
    excluded: Sequence[Interval],
    offline_grace: timedelta,
    start: datetime,
    end: datetime,
) -> Tally:
    """The connector's seconds by class over [start, end), `end` being the range cut at now
    (`pieces` cover exactly that window, as timeline.status_intervals gives them)."""
    result = Tally(total=(end - start).total_seconds())
    outage: list[Interval] = []
    before: str | None = None  # the previous piece's status (None: the window's start)
    for a, b, status in merge(pieces):
        length = (b - a).total_seconds()
        if status == "faulted" or (status == "offline" and b - a > offline_grace):
            result.out_of_service += length
            outage.append((a, b))
        elif status == "offline":
            result.short_offline += length
        elif status in IN_USE:
            result.in_use += length
        elif status == "available":
            result.available += length
        else:
            result.unknown += length
        if status == "faulted":
            # Entered from a known status: a fault seen to begin (after unknown time, the
            # fault may have begun long before the first report).
            if before not in (None, "unknown"):
                result.faults += 1
            if b < end:
                result.repairs.append(length)
        before = status
    excluded_union = union(clip(excluded, start, end))
    result.excluded = sum(seconds(clip(excluded_union, a, b)) for a, b in outage)
    return result
