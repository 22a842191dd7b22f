"""The Beixinjing demo: the report's facts (beixinjing.yaml) plus labelled synthetic data.

From the report: the city → Changning → Beixinjing hierarchy, the three communities and
their pile counts (8 / 3 / 6), State Grid as operator. Synthetic (and flagged so wherever it
shows): community codes, station and pile ids, positions, the neighbours and their piles.

Pure data: frozen dataclasses, no database and no registry. `demo_catalogue(seed)` is what
both the demo seeding and the State Grid simulator use, so both agree on every id.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from app.geo import wgs84_to_gcj02

# Synthetic neighbours: (street code, community name, piles, offset from Beixinjing in km).
_NEIGHBOURS: list[tuple[str, str, int, tuple[float, float]]] = [
    ("310105010", "程家桥示例小区A (synthetic)", 5, (2.5, -1.0)),
    ("310105010", "程家桥示例小区B (synthetic)", 4, (3.0, -1.8)),
    ("310105102", "新泾镇示例小区A (synthetic)", 6, (-1.5, 1.5)),
    ("310105102", "新泾镇示例小区B (synthetic)", 3, (-2.2, 0.8)),
    ("310104900", "徐汇示例小区 (synthetic)", 4, (6.0, -4.0)),
]


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """One unit of the hierarchy above the communities (city, district, street)."""

    code: str
    name: str
    level: str  # a JurisdictionLevel value: city, district or street
    name_en: str | None = None
    parent: str | None = None
    synthetic: bool = False


# The synthetic neighbours include a community in Xuhui, so a street there is needed too.
_XUHUI_STREET = Jurisdiction(
    code="310104900", name="徐汇示例街道 (synthetic)", level="street", parent="310104",
    synthetic=True,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Operator:
    operator_id: str
    name: str


@dataclass(frozen=True, slots=True)
class ReportedCommunity:
    """A community as the report names it."""

    name: str
    street: str
    piles: int
    monthly_kwh: int  # energy charged in the report's month ("近一个月")


@dataclass(frozen=True, slots=True)
class PileDefaults:
    """What the report does not say about a pile (synthetic)."""

    equipment_type: int  # T/CEC EquipmentType (2: AC)
    power_kw: float
    connectors_per_pile: int


@dataclass(frozen=True, slots=True)
class Facts:
    """beixinjing.yaml, typed."""

    jurisdictions: tuple[Jurisdiction, ...]
    communities: tuple[ReportedCommunity, ...]
    operator: Operator
    pile_defaults: PileDefaults
    location: tuple[float, float]  # (lng, lat) WGS84, approximate (synthetic)
    # `[{name, from: "HH:MM", to}]`, the shape `simulator.tariff.Tariff.from_config` reads.
    time_of_use_default: tuple[Mapping[str, str], ...]

    @classmethod
    def load(cls) -> Facts:
        """The packaged beixinjing.yaml, read once per process (the facts never change)."""
        return _load()

    @property
    def operator_id(self) -> str:
        return self.operator.operator_id


@cache
def _load() -> Facts:
    text = resources.files("app.catalogue").joinpath("beixinjing.yaml").read_text("utf-8")
    return _facts(yaml.safe_load(text))


def _facts(raw: dict[str, Any]) -> Facts:
    defaults = raw["pile_defaults"]
    location = raw["approximate_location"]
    return Facts(
        jurisdictions=tuple(
            Jurisdiction(
                code=str(item["code"]),
                name=str(item["name"]),
                level=str(item.get("level", "street")),
                name_en=item.get("name_en"),
                parent=item.get("parent"),
            )
            for item in raw["jurisdictions"]
        ),
        communities=tuple(
            ReportedCommunity(
                name=str(item["name"]),
                street=str(item["street"]),
                piles=int(item["piles"]),
                monthly_kwh=int(item["monthly_kwh"]),
            )
            for item in raw["communities"]
        ),
        operator=Operator(
            operator_id=str(raw["operator"]["operator_id"]), name=str(raw["operator"]["name"])
        ),
        pile_defaults=PileDefaults(
            equipment_type=int(defaults["equipment_type"]),
            power_kw=float(defaults["power_kw"]),
            connectors_per_pile=int(defaults["connectors_per_pile"]),
        ),
        location=(float(location["lng"]), float(location["lat"])),
        time_of_use_default=tuple(
            {str(key): str(value) for key, value in period.items()}
            for period in raw["time_of_use_default"]
        ),
    )


@dataclass(frozen=True, slots=True)
class Community:
    street: str
    code: str
    name: str
    piles: int
    offset_km: tuple[float, float]
    synthetic: bool
    # Energy charged in the report's month (kWh); synthetic neighbours get a plausible figure.
    monthly_kwh: int


@dataclass(frozen=True, slots=True)
class Connector:
    """A connector as T/CEC 102 describes it (ConnectorInfo); the defaults are the wire's."""

    connector_id: str
    power_kw: float
    connector_type: int = 3
    voltage_upper: int = 220
    voltage_lower: int = 220
    current_a: int = 32
    name: str | None = None
    national_standard: int = 2


@dataclass(frozen=True, slots=True)
class Equipment:
    """A pile (T/CEC 102 EquipmentInfo); positions are GCJ-02, as the wire carries them."""

    equipment_id: str
    name: str
    equipment_type: int
    power_kw: float
    lng_gcj02: float
    lat_gcj02: float
    connectors: tuple[Connector, ...]


@dataclass(frozen=True, slots=True)
class Station:
    """A station (T/CEC 102 StationInfo) with its piles, placed in its community."""

    operator_id: str
    station_id: str
    name: str
    jurisdiction_code: str
    area_code: str
    address: str
    station_type: int
    station_status: int
    construction: int
    park_nums: int
    lng_gcj02: float
    lat_gcj02: float
    synthetic: bool
    equipment: tuple[Equipment, ...]


def jurisdictions(facts: Facts) -> list[Jurisdiction]:
    """The hierarchy above the communities: the report's, and the synthetic Xuhui street."""
    return [*facts.jurisdictions, _XUHUI_STREET]


def communities(facts: Facts) -> list[Community]:
    """The report's communities, then the synthetic neighbours, with their (synthetic) codes."""
    result = []
    for index, community in enumerate(facts.communities, 1):
        street = community.street
        result.append(
            Community(
                street=street,
                code=f"{street}{index:03d}",
                name=community.name,
                piles=community.piles,
                offset_km=(0.4 * (index - 2), 0.3 * (index % 2)),
                synthetic=False,
                monthly_kwh=community.monthly_kwh,
            )
        )
    counters: dict[str, int] = {}
    for street, name, piles, offset in _NEIGHBOURS:
        counters[street] = counters.get(street, 0) + 1
        result.append(
            Community(
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


def demo_catalogue(seed: int = 2022) -> list[tuple[Community, Station]]:
    """Every demo community with its State Grid station, deterministic for a seed.

    The hub seeds its registry from this and the State Grid simulator serves the same
    catalogue, so both sides agree on every StationID, EquipmentID and ConnectorID.
    """
    facts = Facts.load()
    rng = random.Random(seed)
    return [
        (community, _station(facts, community, number, rng))
        for number, community in enumerate(communities(facts), 1)
    ]


def _station(facts: Facts, community: Community, number: int, rng: random.Random) -> Station:
    street, community_code, name = community.street, community.code, community.name
    piles, offset_km = community.piles, community.offset_km
    defaults = facts.pile_defaults
    base_lng, base_lat = facts.location
    # ~0.0105° of longitude and ~0.009° of latitude per km at Shanghai's latitude.
    lng = base_lng + offset_km[0] * 0.0105
    lat = base_lat + offset_km[1] * 0.009
    station_id = f"{street[:6]}{facts.operator_id}{number:04d}"
    equipment = []
    for pile in range(1, piles + 1):
        pile_lng, pile_lat = wgs84_to_gcj02(
            lng + rng.uniform(-0.0004, 0.0004), lat + rng.uniform(-0.0003, 0.0003)
        )
        equipment_id = f"{station_id}{pile:02d}"
        equipment.append(
            Equipment(
                equipment_id=equipment_id,
                name=f"{name[:24]} {pile}号桩",
                equipment_type=defaults.equipment_type,
                power_kw=defaults.power_kw,
                lng_gcj02=round(pile_lng, 6),
                lat_gcj02=round(pile_lat, 6),
                connectors=tuple(
                    Connector(
                        connector_id=f"{equipment_id}{c}",
                        connector_type=3,
                        power_kw=defaults.power_kw,
                        voltage_upper=220,
                        voltage_lower=220,
                        current_a=32,
                    )
                    for c in range(1, defaults.connectors_per_pile + 1)
                ),
            )
        )
    station_lng, station_lat = wgs84_to_gcj02(lng, lat)
    return Station(
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
        equipment=tuple(equipment),
    )
