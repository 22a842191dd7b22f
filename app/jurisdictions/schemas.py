from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from app.models import JurisdictionLevel

# Jurisdiction codes: GB/T 2260 district codes (6 digits) and their streets and communities.
AREA_PATTERN = r"^[0-9]{6,12}$"
AreaQuery = Annotated[
    str | None,
    Query(pattern=AREA_PATTERN, description="Area code; defaults to the caller's area."),
]


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
