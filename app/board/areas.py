"""An area as the board shows it: its summary, its children and the colour counts of each
(the tiles a dashboard drills down through), counted in one query over the area."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.board.schemas import ColourCounts, JurisdictionPublic, JurisdictionSummary
from app.core.paths import ancestor_paths, codes_of, contains
from app.jurisdictions.service import get_visible_area, list_children
from app.models import Jurisdiction
from app.piles import repository as piles_repository


async def get_jurisdiction(
    session: AsyncSession, principal: Principal, *, code: str
) -> JurisdictionPublic:
    """Get an area with its children and the board counts of each."""
    area = await get_visible_area(session, principal, code)
    children = await list_children(session, area)
    counts = await count_colours(session, principal, area, children)
    ancestors = [
        codes_of(path)[-1]
        for path in ancestor_paths(area.path)
        if contains(principal.area_path, path)
    ]
    return JurisdictionPublic(
        **summarise(area, counts[area.path]).model_dump(),
        parent_code=ancestors[-1] if ancestors else None,
        ancestors=ancestors,
        children=[summarise(child, counts[child.path]) for child in children],
    )


def summarise(jurisdiction: Jurisdiction, counts: ColourCounts) -> JurisdictionSummary:
    return JurisdictionSummary(
        code=jurisdiction.code,
        name=jurisdiction.name,
        name_en=jurisdiction.name_en,
        level=jurisdiction.level,
        synthetic=jurisdiction.synthetic,
        counts=counts,
    )


async def count_colours(
    session: AsyncSession,
    principal: Principal,
    area: Jurisdiction,
    children: Sequence[Jurisdiction],
) -> dict[str, ColourCounts]:
    """Colour counts keyed by path, for the area and each of its children (one query)."""
    return await count_colours_within(
        session, principal, area.path, [area.path, *(child.path for child in children)]
    )


async def count_colours_within(
    session: AsyncSession, principal: Principal, area_path: str, paths: Sequence[str]
) -> dict[str, ColourCounts]:
    """Colour counts of each of `paths` (all inside `area_path`), from one query over the area."""
    totals = {path: ColourCounts() for path in paths}
    for path, colour, count in await piles_repository.colour_counts(session, principal, area_path):
        for key in paths:
            if contains(key, path):
                bucket = totals[key]
                setattr(bucket, colour, getattr(bucket, colour) + count)
                bucket.total += count
    return totals
