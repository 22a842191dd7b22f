"""Analytics date ranges: local days, defaults, caps and buckets (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from app.core.config import EnergySettings
from app.core.time import LOCAL_TZ
from app.energy.errors import RangeInFuture, RangeOutsideWindow, RangeReversed, RangeTooLarge

# Every analytics date lies in this window: nothing was charged on the hub's piles before 2000,
# and a year ahead is as far as a plan looks. Checked before any date arithmetic, so that a
# date near the calendar's edge (9999-12-31) is a 422, never an overflow.
EARLIEST_DAY = date(2000, 1, 1)
DAYS_AHEAD = 366


class Granularity(StrEnum):
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class DayRange:
    """Local days `first`..`last`, both included."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=LOCAL_TZ)

    @property
    def end(self) -> datetime:
        """The instant after the last day (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=LOCAL_TZ)

    def until(self, now: datetime) -> datetime:
        """The end of the range's effective part: its end, or `now` when that comes first.
        Nothing after now has happened yet, so no figure may count it (not even as unknown).
        In UTC, as every instant the API answers."""
        return max(self.start, min(self.end, now)).astimezone(UTC)


def check_window(*days: date | None, today: date) -> None:
    latest = today + timedelta(days=DAYS_AHEAD)
    for day in days:
        if day is not None and not EARLIEST_DAY <= day <= latest:
            raise RangeOutsideWindow(
                f"{day} is outside the window of {EARLIEST_DAY} to {latest} (a year after"
                " today): ask for dates in it."
            )


def months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def resolve(
    granularity: Granularity,
    first: date | None,
    last: date | None,
    *,
    today: date,
    limits: EnergySettings,
) -> DayRange:
    """The range asked for, with defaults (the last 30 days, or the last 12 months to date)
    and the caps checked."""
    check_window(first, last, today=today)
    last = last or today
    if first is None:
        first = (
            last - timedelta(days=29)
            if granularity is Granularity.DAY
            else _shift_months(last.replace(day=1), -11)
        )
    if first > last:
        raise RangeReversed(f"from {first} is after to {last}.")
    if first > today:
        # Not an answer of nulls: a range with no past in it has no figures at all.
        raise RangeInFuture(f"from {first} is after today ({today}): nothing observed yet.")
    chosen = DayRange(first, last)
    if granularity is Granularity.DAY and chosen.days > limits.max_days:
        raise RangeTooLarge(
            f"{chosen.days} days asked; at most {limits.max_days} by day.",
            max_days=limits.max_days,
        )
    months = months_between(first, last)
    if granularity is Granularity.MONTH and months > limits.max_months:
        raise RangeTooLarge(
            f"{months} months asked; at most {limits.max_months} by month.",
            max_months=limits.max_months,
        )
    return chosen


def _shift_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bucket(day: date, granularity: Granularity) -> str:
    return day.isoformat() if granularity is Granularity.DAY else f"{day:%Y-%m}"


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def last_days(
    first: date | None, last: date | None, *, today: date, limits: EnergySettings
) -> DayRange:
    """A range for the guidance: by default the 30 complete local days before today."""
    check_window(first, last, today=today)
    last = last or today - timedelta(days=1)
    return resolve(Granularity.DAY, first or last - timedelta(days=29), last, today=today,
                   limits=limits)  # fmt: skip
