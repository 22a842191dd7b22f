"""How much of an analytics range was observed, and whether a share of time may be stated
(pure, no I/O).

A range is counted up to now (`DayRange.until`): the future has not happened. Of that
effective range, time is *observed* when the hub knew the connector's status (from its first
report on) and *unknown* otherwise; observed + unknown = the effective range, always.

A share of time (uptime, reliability, occupancy, idle share, siting pressure) is measured over
observed time only, and stated only when at least `min_coverage` of the range was observed:
below that the unseen part could hold anything, so the figure is null with a reason, never a
pass and never 0.
"""

from __future__ import annotations

from enum import StrEnum

_HOUR = 3600.0


class NoData(StrEnum):
    """Why a figure is null (stable codes, in the answer's `reason` fields)."""

    # Nothing of the range up to now was observed (no status report before its end).
    NO_OBSERVATIONS = "no-observations"
    # Observed, but less than `min_coverage` of the range up to now.
    INSUFFICIENT_COVERAGE = "insufficient-coverage"
    # Observed throughout, but out of service throughout: no available time to share out.
    NOTHING_AVAILABLE = "nothing-available"
    # Mean time to repair: no fault was repaired inside the range.
    NO_REPAIRS = "no-repairs"


def judge(observed: float, span: float, min_coverage: float) -> NoData | None:
    """None when a share of time over `observed` seconds of a `span`-second range may be
    stated; otherwise why not."""
    if observed <= 0:
        return NoData.NO_OBSERVATIONS
    if observed < min_coverage * span:
        return NoData.INSUFFICIENT_COVERAGE
    return None


def coverage_figures(observed: float, span: float) -> dict[str, float | None]:
    """The `Observed` fields (app/energy/schemas.py) of `observed` seconds of a `span`."""
    return {
        "range_hours": round(span / _HOUR, 3),
        "observed_hours": round(observed / _HOUR, 3),
        "unknown_hours": round((span - observed) / _HOUR, 3),
        "coverage": round(observed / span, 4) if span > 0 else None,
    }
