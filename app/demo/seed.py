"""The Beixinjing demo: the report's facts (beixinjing.yaml) plus labelled synthetic data.

From the report: the city → Changning → Beixinjing hierarchy, the three communities and
their pile counts (8 / 3 / 6), State Grid as operator. Synthetic (and flagged so wherever it
shows): community codes, station and pile ids, positions, the neighbours' piles, and every
status until the State Grid simulator feeds real ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from typing import Any

import yaml
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import city_principal
from app.core.config import Settings
from app.core.time import utc_now
from app.geo import wgs84_to_gcj02
from app.jurisdictions import service as jurisdictions_service
from app.models import JurisdictionLevel
from app.operators import service as operators_service
from app.piles import service as piles_service
from app.piles.schemas import ConnectorRecord, EquipmentRecord, StationRecord
from app.status import service as status_service
from app.status.schemas import StatusReport

SYNTHETIC_SOURCE = "synthetic-demo"

# Synthetic neighbours: (street code, community name, piles, offset from Beixinjing in km).
_NEIGHBOURS: list[tuple[str, str, int, tuple[float, float]]] = [
    ("310105010", "程家桥示例小区A (synthetic)", 5, (2.5, -1.0)),
    ("310105010", "程家桥示例小区B (synthetic)", 4, (3.0, -1.8)),
    ("310105102", "新泾镇示例小区A (synthetic)", 6, (-1.5, 1.5)),
    ("310105102", "新泾镇示例小区B (synthetic)", 3, (-2.2, 0.8)),
    ("310104900", "徐汇示例小区 (synthetic)", 4, (6.0, -4.0)),
]
_XUHUI_STREET = {"code": "310104900", "name": "徐汇示例街道 (synthetic)", "parent": "310104"}


@dataclass(frozen=True)
class DemoFacts:
    raw: dict[str, Any]

    @classmethod
    def load(cls) -> DemoFacts:
        text = resources.files("app.demo").joinpath("beixinjing.yaml").read_text("utf-8")
        return cls(yaml.safe_load(text))

    @property
    def operator_id(self) -> str:
        return str(self.raw["operator"]["operator_id"])


@dataclass(frozen=True)
class DemoCommunity:
    street: str
    code: str
    name: str
    piles: int
    offset_km: tuple[float, float]
    synthetic: bool
    # Energy charged in the report's month (kWh); synthetic neighbours get a plausible figure.
    monthly_kwh: int


def demo_catalogue(seed: int = 2022) -> list[tuple[DemoCommunity, StationRecord]]:
    """Every demo community with its State Grid station, deterministic for a seed.

    The hub seeds its registry from this and the State Grid simulator serves the same
    catalogue, so both sides agree on every StationID, EquipmentID and ConnectorID.
    """
    facts = DemoFacts.load()
    rng = random.Random(seed)
    return [
        (community, _station(facts, community, number, rng))
        for number, community in enumerate(_communities(facts), 1)
    ]


async def seed_demo(
    session: AsyncSession, settings: Settings, *, seed: int = 2022, statuses: bool = True
) -> None:
    """Load the demo hierarchy, operator, stations and piles; with `statuses`, give each
    connector a synthetic status (the State Grid simulator replaces them with real pushes)."""
    facts = DemoFacts.load()
    await _seed_jurisdictions(session, facts)
    operator = facts.raw["operator"]
    await operators_service.ensure_operator(
        session, operator_id=operator["operator_id"], name=operator["name"]
    )
    for community, station in demo_catalogue(seed):
        await jurisdictions_service.ensure_jurisdiction(
            session,
            code=community.code,
            name=community.name,
            level=JurisdictionLevel.COMMUNITY,
            parent_code=community.street,
            synthetic=community.synthetic,
        )
        await piles_service.register_station(session, station)
    if statuses:
        await _synthetic_statuses(session, settings, facts, random.Random(seed))


async def _seed_jurisdictions(session: AsyncSession, facts: DemoFacts) -> None:
    for item in [*facts.raw["jurisdictions"], _XUHUI_STREET]:
        level = item.get("level", "street")
        await jurisdictions_service.ensure_jurisdiction(
            session,
            code=item["code"],
            name=item["name"],
            name_en=item.get("name_en"),
            level=JurisdictionLevel(level),
            parent_code=item.get("parent"),
            synthetic=item is _XUHUI_STREET,
        )


def _communities(facts: DemoFacts) -> list[DemoCommunity]:
    result = []
    for index, community in enumerate(facts.raw["communities"], 1):
        street = community["street"]
        result.append(
            DemoCommunity(
                street=street,
                code=f"{street}{index:03d}",
                name=community["name"],
                piles=community["piles"],
                offset_km=(0.4 * (index - 2), 0.3 * (index % 2)),
                synthetic=False,
                monthly_kwh=community["monthly_kwh"],
            )
        )
    counters: dict[str, int] = {}
    for street, name, piles, offset in _NEIGHBOURS:
        counters[street] = counters.get(street, 0) + 1
        result.append(
            DemoCommunity(
                street=street,
                code=f"{street}{counters[street]:03d}",
                name=name,
                piles=piles,
                offset_km=offset,
                synthetic=True,
                monthly_kwh=piles * 180,
            )
        )
    return result


def _station(
    facts: DemoFacts, community: DemoCommunity, number: int, rng: random.Random
) -> StationRecord:
    street, community_code, name = community.street, community.code, community.name
    piles, offset_km = community.piles, community.offset_km
    defaults = facts.raw["pile_defaults"]
    base = facts.raw["approximate_location"]
    # ~0.0105° of longitude and ~0.009° of latitude per km at Shanghai's latitude.
    lng = base["lng"] + offset_km[0] * 0.0105
    lat = base["lat"] + offset_km[1] * 0.009
    station_id = f"{street[:6]}{facts.operator_id}{number:04d}"
    equipment = []
    for pile in range(1, piles + 1):
        pile_lng, pile_lat = wgs84_to_gcj02(
            lng + rng.uniform(-0.0004, 0.0004), lat + rng.uniform(-0.0003, 0.0003)
        )
        equipment_id = f"{station_id}{pile:02d}"
        equipment.append(
            EquipmentRecord(
                equipment_id=equipment_id,
                name=f"{name[:24]} {pile}号桩",
                equipment_type=defaults["equipment_type"],
                power_kw=defaults["power_kw"],
                lng_gcj02=round(pile_lng, 6),
                lat_gcj02=round(pile_lat, 6),
                connectors=[
                    ConnectorRecord(
                        connector_id=f"{equipment_id}{c}",
                        connector_type=3,
                        power_kw=defaults["power_kw"],
                        voltage_upper=220,
                        voltage_lower=220,
                        current_a=32,
                    )
                    for c in range(1, defaults["connectors_per_pile"] + 1)
                ],
            )
        )
    station_lng, station_lat = wgs84_to_gcj02(lng, lat)
    return StationRecord(
        operator_id=facts.operator_id,
        station_id=station_id,
        name=f"{name[:40]} 共享充电站",
        jurisdiction_code=community_code,
        area_code=street[:6],
        address=name,
        station_type=1,
        station_status=50,
        construction=1,
        park_nums=piles,
        lng_gcj02=round(station_lng, 6),
        lat_gcj02=round(station_lat, 6),
        synthetic=True,
        equipment=equipment,
    )


async def _synthetic_statuses(
    session: AsyncSession, settings: Settings, facts: DemoFacts, rng: random.Random
) -> None:
    """One status per connector that has none yet: mostly idle or charging, one fault
    (yellow) and one pile flagged for maintenance (red), so the board shows every colour."""
    principal = city_principal(settings.city_code)
    now = utc_now()
    page = await piles_service.list_all_piles(session, principal)
    reports: list[StatusReport] = []
    for index, pile in enumerate(page):
        for connector in pile.connectors:
            if connector.observed_at is not None:
                continue
            code = 255 if index == 9 else rng.choice([1, 1, 1, 2, 3, 3])
            reports.append(
                StatusReport(
                    operator_id=facts.operator_id,
                    connector_id=connector.connector_id,
                    code=code,
                    observed_at=now - timedelta(minutes=rng.randint(5, 600)),
                    received_at=now,
                    source=SYNTHETIC_SOURCE,
                )
            )
    if not reports:
        return
    await status_service.record_status_reports(session, reports, rules=settings.colour, now=now)
    await status_service.set_maintenance(
        session,
        principal,
        pile_id=page[14].id,
        flagged=True,
        note="synthetic: cable holder damaged, repair booked",
        rules=settings.colour,
    )
