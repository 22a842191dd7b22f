from __future__ import annotations

from enum import StrEnum

from sqlalchemy import String
from sqlmodel import Field, SQLModel


class JurisdictionLevel(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"


class Jurisdiction(SQLModel, table=True):
    """A node of the government hierarchy; communities (小区) are leaves under a street."""

    __tablename__ = "jurisdiction"

    id: int | None = Field(default=None, primary_key=True)
    # GB/T 2260 style: 310000 city, 310105 district, 310105011 street, 12 digits for communities.
    code: str = Field(sa_type=String(12), unique=True)
    name: str = Field(sa_type=String(64))
    name_en: str | None = Field(default=None, sa_type=String(64))
    level: JurisdictionLevel = Field(sa_type=String(16))
    parent_id: int | None = Field(default=None, foreign_key="jurisdiction.id", index=True)
    # Materialised path of codes, "310000/310105/310105011/": a subtree is a range of paths.
    path: str = Field(sa_type=String(255), index=True)
    synthetic: bool = False
