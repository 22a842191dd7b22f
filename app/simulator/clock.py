"""The simulated clock: compressed while it replays recent history, never ahead of the wall.

The hub refuses reports stamped in its future (Settings.max_clock_skew, ten minutes) and
orders that end there, so simulated time must never pass the wall clock. Time compression
(`speed`) is therefore spent on a replay: the simulation starts at `origin`, some time in the
past, runs `speed` times faster than real time until it catches up with the wall clock, and
from then on runs in real time. With speed 60 and a day to replay that takes 24.4 minutes.

`stamp()` is what the T/CEC client puts in the envelope TimeStamp, which the hub takes as the
observation time of a status push: inside `stamped(at)` it is the event's own simulated time
(so two changes of one connector sent in quick succession keep their real order), elsewhere
the simulated now. A contextvar keeps concurrent pushes apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from app.core.time import LOCAL_TZ, utc_now

_STAMP: ContextVar[datetime | None] = ContextVar("simulator_stamp", default=None)


class SimClock:
    def __init__(
        self,
        *,
        origin: datetime,
        speed: float,
        wall: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.origin = origin
        self.speed = speed
        self._wall = wall
        self._monotonic = monotonic
        self._started = monotonic()

    def now(self) -> datetime:
        """The simulated time: origin + speed × elapsed, capped at the wall clock."""
        elapsed = self._monotonic() - self._started
        simulated = self.origin + timedelta(seconds=elapsed * self.speed)
        return min(simulated, self._wall())

    def caught_up(self) -> bool:
        return self.now() >= self._wall() - timedelta(seconds=1)

    def stamp(self) -> datetime:
        override = _STAMP.get()
        return override if override is not None else self.now()

    @contextmanager
    def stamped(self, at: datetime) -> Iterator[None]:
        token = _STAMP.set(min(at, self.now()))
        try:
            yield
        finally:
            _STAMP.reset(token)


def history_end(now: datetime, *, speed: float, replay_days: int) -> datetime:
    """Where the backfilled history stops and the live simulation starts.

    With compression (speed > 1): local midnight `replay_days` days before today, so the
    backfill covers whole local days (the same ones for every run on a given day, which the
    hub then deduplicates) and the live simulation replays the rest at `speed`. Without
    compression there is nothing to catch up with: history ends now.
    """
    if speed <= 1:
        return now
    today = now.astimezone(LOCAL_TZ).date() - timedelta(days=replay_days)
    return datetime.combine(today, datetime.min.time(), tzinfo=LOCAL_TZ)
