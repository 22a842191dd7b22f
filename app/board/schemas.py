"""Big-screen shapes: the board (counts and coloured piles) and the GeoJSON map."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from app.core.time import instant
from app.models import JurisdictionLevel
from app.models.states import Cause, Colour
from app.piles.schemas import JurisdictionRef


class ColourCounts(BaseModel):
    green: int = 0
    yellow: int = 0
    red: int = 0
    unknown: int = 0
    total: int = 0


class JurisdictionSummary(BaseModel):
    code: str
    name: str
    name_en: str | None
    level: JurisdictionLevel
    synthetic: bool = Field(description="True where the unit or its piles are demo data.")
    counts: ColourCounts


class JurisdictionPublic(JurisdictionSummary):
    parent_code: str | None = Field(description="Null at the top of what the caller may see.")
    ancestors: list[str] = Field(description="Codes from the city down to the parent.")
    children: list[JurisdictionSummary]


class BoardPile(BaseModel):
    id: int
    equipment_id: str
    name: str | None
    colour: Colour
    colour_since: datetime = Field(
        description=instant(
            "Since when the pile has had this colour: the operator time of the report that "
            "gave it the colour, or the rule's instant (offline since + grace, fault since + "
            "red_after_fault); a staff flag's time for maintenance."
        )
    )
    colour_cause: Cause | None = Field(description="Why yellow or red; null when green or unknown.")
    maintenance: bool
    community: JurisdictionRef
    station_id: str
    synthetic: bool


class Board(BaseModel):
    """Counts by colour for an area and its children, and every pile with its colour."""

    # Where the board sits (for cache invalidation), not part of the published body.
    area_path: str = Field(exclude=True)
    area: JurisdictionSummary
    data_version: int = Field(description="Newest change_event id reflected in this board.")
    children: list[JurisdictionSummary]
    piles_included: bool = Field(
        description="False when the area has more piles than the board lists; use /v1/piles."
    )
    piles: list[BoardPile]


class PointGeometry(BaseModel):
    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float] = Field(description="[longitude, latitude], WGS84.")


class PileFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: int
    geometry: PointGeometry | None
    properties: dict[str, Any]


class PileFeatureCollection(BaseModel):
    """RFC 7946 GeoJSON; coordinates converted from the operators' GCJ-02 to WGS84."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[PileFeature]
    colour_counts: ColourCounts
