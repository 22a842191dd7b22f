"""Who is asking: the caller's tier and area. Visibility is derived from the area path only.

Until OAuth2 lands every request runs as the city-wide principal; the repositories already
filter through `visible_to(principal)`, so authentication plugs in without touching a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Tier(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    VENDOR = "vendor"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    tier: Tier
    area_code: str
    # Materialised path of the area ("310000/310105/"), see app.models.Jurisdiction.path.
    area_path: str


def city_principal(city_code: str) -> Principal:
    return Principal(
        subject="city-wide", tier=Tier.CITY, area_code=city_code, area_path=f"{city_code}/"
    )
