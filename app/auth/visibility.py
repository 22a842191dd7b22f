"""The one rule of what a caller may see: its area's subtree, and nothing else.

Areas are materialised paths (app/core/paths.py), so a subtree is the half-open string range
`subtree_bounds(path)`, which plain b-tree indexes serve on both databases. Every repository
filters with these: tables that carry an area path with `within`, tables that carry a
jurisdiction id with `jurisdiction_ids_within`. `visible_to` is `within` the caller's own area.
See docs/architecture.md, "Visibility".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth.principal import Principal
from app.core.paths import subtree_bounds
from app.models import Jurisdiction


def within(path_column: Any, area_path: str) -> ColumnElement[bool]:
    """Rows whose area path (`path_column`) lies in the subtree of `area_path`."""
    low, high = subtree_bounds(area_path)
    return and_(path_column >= low, path_column < high)


def visible_to(principal: Principal, path_column: Any) -> ColumnElement[bool]:
    """Rows whose area path lies in the caller's area."""
    return within(path_column, principal.area_path)


def jurisdiction_ids_within(area_path: str) -> SelectOfScalar[int | None]:
    """Ids of the jurisdictions in the subtree of `area_path` (for `column.in_(...)`)."""
    return select(col(Jurisdiction.id)).where(within(col(Jurisdiction.path), area_path))


def visible_jurisdiction_ids(principal: Principal) -> SelectOfScalar[int | None]:
    """Ids of every jurisdiction the caller may see: its area and everything below it."""
    return jurisdiction_ids_within(principal.area_path)


def visible_area_codes(principal: Principal) -> SelectOfScalar[str]:
    """Codes of every area the caller may see (for rows that name their area by code)."""
    return select(col(Jurisdiction.code)).where(
        col(Jurisdiction.id).in_(visible_jurisdiction_ids(principal))
    )
