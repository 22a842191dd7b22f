"""What `pilehub generate city` makes, as pure functions of the options and a seed.

A city of `districts` districts and `streets` streets, communities of COMMUNITY_CONNECTORS
connectors (one station each, two connectors per pile, 7 kW), and `sessions` charging sessions
spread evenly over `days` local days ending the day before yesterday (so every session lies in
the past, as the hub's rules require). Everything is synthetic and deterministic: the same
options give the same ids and sessions, which is what makes an interrupted run resumable
(a day is written in one transaction, and a rerun starts after the last complete day).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.core.time import LOCAL_TZ
from app.piles.schemas import ConnectorRecord, EquipmentRecord, StationRecord
from app.sessions.schemas import ChargeOrderRecord
from app.simulator.behaviour import ARRIVAL_WEIGHTS

OPERATOR_ID = "GENCITY01"
CITY = "310000"
COMMUNITY_CONNECTORS = 20
CONNECTORS_PER_PILE = 2
POWER_KW = 7.0
# Shanghai's 16 district codes; streets and communities below them are synthetic codes.
DISTRICTS = "310101 310104 310105 310106 310107 310109 310110 310112 310113 310114 310115 310116 \
310117 310118 310120 310151".split()


@dataclass(frozen=True, slots=True)
class CityPlan:
    connectors: int = 200_000
    districts: int = 16
    streets: int = 200
    days: int = 365
    sessions: int = 10_000_000
    seed: int = 2026
    last_day: date | None = None  # default: the day before yesterday, local

    def __post_init__(self) -> None:
        if not 1 <= self.districts <= len(DISTRICTS):
            raise ValueError(f"districts must be 1..{len(DISTRICTS)}")
        if self.streets < self.districts or self.streets > self.districts * 799:
            raise ValueError("each district needs 1..799 streets")
        if self.connectors < self.streets * COMMUNITY_CONNECTORS:
            raise ValueError(f"at least {COMMUNITY_CONNECTORS} connectors per street")
        if self.days < 1 or self.sessions < 0:
            raise ValueError("days must be positive and sessions not negative")

    def first_day(self, today: date) -> date:
        return self.end_day(today) - timedelta(days=self.days - 1)

    def end_day(self, today: date) -> date:
        return self.last_day or today - timedelta(days=2)

    @property
    def communities(self) -> int:
        return self.connectors // COMMUNITY_CONNECTORS


@dataclass(frozen=True, slots=True)
class StreetPlan:
    district: str
    street: str
    communities: list[tuple[str, StationRecord]]


def streets(plan: CityPlan) -> Iterator[StreetPlan]:
    """Every street with its communities and their stations, in a fixed order."""
    numbers = [plan.streets // plan.districts + (i < plan.streets % plan.districts)
               for i in range(plan.districts)]  # fmt: skip
    community = 0
    street_index = 0
    for district, count in zip(DISTRICTS[: plan.districts], numbers, strict=True):
        for n in range(count):
            street = f"{district}{201 + n:03d}"
            share = plan.communities // plan.streets + (
                street_index < plan.communities % plan.streets
            )
            members = []
            for c in range(share):
                code = f"{street}{c + 1:03d}"
                members.append((code, _station(community, code, district)))
                community += 1
            street_index += 1
            yield StreetPlan(district, street, members)


def _station(index: int, community: str, district: str) -> StationRecord:
    station_id = f"G{index:08d}"
    equipment = []
    for pile in range(COMMUNITY_CONNECTORS // CONNECTORS_PER_PILE):
        equipment_id = f"{station_id}{pile:02d}"
        equipment.append(EquipmentRecord(
            equipment_id=equipment_id, power_kw=POWER_KW,
            connectors=[ConnectorRecord(connector_id=f"{equipment_id}{c}", power_kw=POWER_KW)
                        for c in range(1, CONNECTORS_PER_PILE + 1)],
        ))  # fmt: skip
    return StationRecord(
        operator_id=OPERATOR_ID, station_id=station_id, name=f"synthetic {community}",
        jurisdiction_code=community, area_code=district, synthetic=True, equipment=equipment,
    )  # fmt: skip


def connector_ids(plan: CityPlan) -> list[str]:
    return [
        c.connector_id
        for street in streets(plan)
        for _, station in street.communities
        for e in station.equipment
        for c in e.connectors
    ]


def sessions_on(plan: CityPlan, day_index: int) -> int:
    """Sessions of day `day_index`: the total spread evenly, the remainder on the first days."""
    return plan.sessions // plan.days + (day_index < plan.sessions % plan.days)


# What `choices(weights=...)` accumulates on every call; the same draws, once.
_CUMULATIVE_ARRIVALS = tuple(itertools.accumulate(ARRIVAL_WEIGHTS))


@dataclass(frozen=True, slots=True)
class GeneratedSession:
    """One synthetic session: what a charge order of it says, before any mapping."""

    start_charge_seq: str
    connector_id: str
    start_at: datetime
    end_at: datetime
    energy_wh: int


def day_sessions(
    plan: CityPlan, connectors: list[str], day_index: int, day: date
) -> list[GeneratedSession]:
    """The sessions starting on `day`: arrivals by the residential hour profile, 0.5–8 h,
    3.3–7 kW cars, 60–100 % of what the car could draw."""
    rng = random.Random(f"{plan.seed}:{day_index}")
    midnight = datetime.combine(day, time.min, tzinfo=LOCAL_TZ)
    hours = range(24)
    generated = []
    for n in range(sessions_on(plan, day_index)):
        hour = rng.choices(hours, cum_weights=_CUMULATIVE_ARRIVALS)[0]
        start = midnight + timedelta(hours=hour, seconds=rng.randrange(3600))
        seconds = rng.randrange(1800, 8 * 3600)
        power = rng.uniform(3.3, POWER_KW)
        energy = int(power * seconds / 3.6 * rng.uniform(0.6, 1.0))
        generated.append(GeneratedSession(
            start_charge_seq=f"{day_seq_prefix(day_index)}{n:08d}",
            connector_id=connectors[rng.randrange(len(connectors))], start_at=start,
            end_at=start + timedelta(seconds=seconds), energy_wh=energy,
        ))  # fmt: skip
    return generated


def day_orders(
    plan: CityPlan, connectors: list[str], day_index: int, day: date
) -> list[ChargeOrderRecord]:
    """`day_sessions` as the charge orders an operator would send."""
    return [
        ChargeOrderRecord(
            operator_id=OPERATOR_ID,
            start_charge_seq=g.start_charge_seq,
            connector_id=g.connector_id,
            start_at=g.start_at,
            end_at=g.end_at,
            energy_wh=g.energy_wh,
        )  # fmt: skip
        for g in day_sessions(plan, connectors, day_index, day)
    ]


def day_seq_prefix(day_index: int) -> str:
    """Where the generated StartChargeSeqs of a day begin (they sort by day)."""
    return f"G{day_index:04d}"


def day_of_seq(seq: str) -> int:
    """The day index a generated StartChargeSeq belongs to."""
    return int(seq[1:5])
