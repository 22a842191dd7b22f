"""The simulated clock: compressed, capped at the wall clock, stamps per push."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from app.simulator.clock import SimClock, history_end

ORIGIN = datetime(2026, 3, 2, tzinfo=UTC)
WALL = ORIGIN + timedelta(hours=2)


class Ticks:
    def __init__(self) -> None:
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds


def test_time_is_compressed_until_it_reaches_the_wall() -> None:
    ticks = Ticks()
    clock = SimClock(origin=ORIGIN, speed=60, wall=lambda: WALL, monotonic=ticks)
    assert clock.now() == ORIGIN
    ticks.seconds += 60  # a real minute is a simulated hour
    assert clock.now() == ORIGIN + timedelta(hours=1)
    assert not clock.caught_up()
    ticks.seconds += 3600
    assert clock.now() == WALL  # never in the hub's future
    assert clock.caught_up()


def test_stamps_are_the_events_time_inside_stamped() -> None:
    ticks = Ticks()
    clock = SimClock(origin=ORIGIN, speed=60, wall=lambda: WALL, monotonic=ticks)
    ticks.seconds += 30
    event = ORIGIN + timedelta(minutes=10)
    with clock.stamped(event):
        assert clock.stamp() == event
        with clock.stamped(WALL + timedelta(days=1)):
            assert clock.stamp() == clock.now()  # a stamp is never ahead of the clock
    assert clock.stamp() == clock.now()


def test_concurrent_pushes_keep_their_own_stamps() -> None:
    clock = SimClock(origin=ORIGIN, speed=1, wall=lambda: WALL)

    async def push(minutes: int) -> datetime:
        with clock.stamped(ORIGIN - timedelta(minutes=minutes)):
            await asyncio.sleep(0.001 * (5 - minutes))
            return clock.stamp()

    async def both() -> list[datetime]:
        return list(await asyncio.gather(push(1), push(4)))

    assert asyncio.run(both()) == [ORIGIN - timedelta(minutes=1), ORIGIN - timedelta(minutes=4)]


def test_speed_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        SimClock(origin=ORIGIN, speed=0)


def test_history_ends_at_a_local_midnight_when_compressed() -> None:
    now = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # 14:30 in Shanghai
    assert history_end(now, speed=60, replay_days=1).isoformat() == "2026-03-02T00:00:00+08:00"
    assert history_end(now, speed=60, replay_days=0).isoformat() == "2026-03-03T00:00:00+08:00"
    assert history_end(now, speed=1, replay_days=1) == now
