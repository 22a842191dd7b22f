"""Time-of-use electricity periods and synthetic prices; cutting a session at period edges.

The periods come from configuration (beixinjing.yaml `time_of_use_default`: Shanghai's
residential 峰 06:00–22:00 and 谷 22:00–06:00), not from code, so another city's periods are a
data change. The prices are synthetic but plausible for a shared community pile: electricity
0.617 yuan/kWh peak and 0.307 valley, plus a 0.8 yuan/kWh service fee.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from app.core.time import LOCAL_TZ

DEMO_PRICES: dict[str, Decimal] = {"peak": Decimal("0.617"), "valley": Decimal("0.307")}
DEMO_SERVICE_PRICE = Decimal("0.8")


@dataclass(frozen=True, slots=True)
class TouPeriod:
    """A period that starts at `start` (local time of day) and runs to the next one's start."""

    name: str
    start: time
    elec_price: Decimal  # yuan per kWh


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a session inside one period; times are aware, in Asia/Shanghai."""

    start: datetime
    end: datetime
    period: TouPeriod


@dataclass(frozen=True, slots=True)
class Tariff:
    periods: tuple[TouPeriod, ...]
    service_price: Decimal  # yuan per kWh, flat

    def __post_init__(self) -> None:
        starts = [p.start for p in self.periods]
        if not starts or starts != sorted(set(starts)):
            raise ValueError("periods must be non-empty with distinct, ascending start times")

    @classmethod
    def from_config(
        cls,
        periods: Iterable[Mapping[str, Any]],
        prices: Mapping[str, Decimal] = DEMO_PRICES,
        service_price: Decimal = DEMO_SERVICE_PRICE,
    ) -> Tariff:
        """From `[{name, from: "HH:MM", to}]` items (the `to` is implied by the next `from`)."""
        built = [
            TouPeriod(str(p["name"]), time.fromisoformat(str(p["from"])), prices[str(p["name"])])
            for p in periods
        ]
        return cls(tuple(sorted(built, key=lambda p: p.start)), service_price)

    def period_at(self, moment: datetime) -> TouPeriod:
        clock = moment.astimezone(LOCAL_TZ).time()
        current = self.periods[-1]  # before the first start of the day: the last one runs on
        for period in self.periods:
            if period.start <= clock:
                current = period
        return current

    def boundaries(self, start: datetime, end: datetime) -> list[datetime]:
        """Local period starts strictly between `start` and `end`, in order."""
        first = start.astimezone(LOCAL_TZ).date() - timedelta(days=1)
        last = end.astimezone(LOCAL_TZ).date()
        found: list[datetime] = []
        day = first
        while day <= last:
            for period in self.periods:
                edge = datetime.combine(day, period.start, tzinfo=LOCAL_TZ)
                if start < edge < end:
                    found.append(edge)
            day += timedelta(days=1)
        return found

    def split(self, start: datetime, end: datetime) -> list[Segment]:
        """The session cut at every period boundary; one segment when it stays in a period."""
        if end <= start:
            raise ValueError("a session must end after it starts")
        local_start, local_end = start.astimezone(LOCAL_TZ), end.astimezone(LOCAL_TZ)
        edges = [local_start, *self.boundaries(local_start, local_end), local_end]
        return [Segment(a, b, self.period_at(a)) for a, b in zip(edges, edges[1:], strict=False)]
