"""SQL for jurisdictions (the area tree); what a caller may see is app/auth/visibility.py."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from app.auth import visibility
from app.auth.principal import Principal
from app.models import Jurisdiction


def visible_to(principal: Principal) -> SelectOfScalar[Jurisdiction]:
    return select(Jurisdiction).where(visibility.visible_to(principal, col(Jurisdiction.path)))


async def get_visible_by_code(
    session: AsyncSession, principal: Principal, code: str
) -> Jurisdiction | None:
    result = await session.exec(visible_to(principal).where(Jurisdiction.code == code))
    return result.first()


async def list_children(session: AsyncSession, parent_id: int) -> list[Jurisdiction]:
    result = await session.exec(
        select(Jurisdiction).where(Jurisdiction.parent_id == parent_id).order_by(Jurisdiction.code)
    )
    return list(result.all())


async def list_children_of(session: AsyncSession, parent_ids: list[int]) -> list[Jurisdiction]:
    """The children of several parents in one query, in code order."""
    result = await session.exec(
        select(Jurisdiction)
        .where(col(Jurisdiction.parent_id).in_(parent_ids))
        .order_by(Jurisdiction.code)
    )
    return list(result.all())


async def list_by_codes(session: AsyncSession, codes: list[str]) -> list[Jurisdiction]:
    result = await session.exec(select(Jurisdiction).where(col(Jurisdiction.code).in_(codes)))
    return list(result.all())


async def get_by_code(session: AsyncSession, code: str) -> Jurisdiction | None:
    result = await session.exec(select(Jurisdiction).where(Jurisdiction.code == code))
    return result.first()


async def add(session: AsyncSession, jurisdiction: Jurisdiction) -> Jurisdiction:
    session.add(jurisdiction)
    await session.flush()
    return jurisdiction


async def get_by_id(session: AsyncSession, jurisdiction_id: int) -> Jurisdiction | None:
    return await session.get(Jurisdiction, jurisdiction_id)


async def list_in_subtree(
    session: AsyncSession, principal: Principal, path: str, levels: list[str]
) -> list[Jurisdiction]:
    """Jurisdictions of these levels in the subtree of `path` that the principal may see."""
    result = await session.exec(
        visible_to(principal)
        .where(visibility.within(col(Jurisdiction.path), path))
        .where(col(Jurisdiction.level).in_(levels))
        .order_by(col(Jurisdiction.path))
    )
    return list(result.all())
