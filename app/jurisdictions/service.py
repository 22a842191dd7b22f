"""Jurisdiction use cases: look up an area the caller may see, place and register areas."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.changelog import repository as events_repository
from app.changelog.events import event
from app.changelog.kinds import Kind
from app.core.paths import child_path, contains
from app.core.time import utc_now
from app.jurisdictions import repository
from app.jurisdictions.errors import AreaNotFound
from app.models import Jurisdiction, JurisdictionLevel


async def get_visible_area(
    session: AsyncSession, principal: Principal, code: str | None
) -> Jurisdiction:
    """The caller's area by code (its own area when `code` is None); 404 outside it."""
    jurisdiction = await repository.get_visible_by_code(
        session, principal, code or principal.area_code
    )
    if jurisdiction is None:
        raise AreaNotFound(f"No area {code!r} in your area.")
    return jurisdiction


async def require_jurisdiction(session: AsyncSession, code: str) -> Jurisdiction:
    """A jurisdiction by code for internal writers (feeds, seeding); no principal involved."""
    jurisdiction = await repository.get_by_code(session, code)
    if jurisdiction is None:
        raise AreaNotFound(f"No jurisdiction {code!r}.")
    return jurisdiction


async def require_jurisdiction_id(session: AsyncSession, jurisdiction_id: int) -> Jurisdiction:
    jurisdiction = await repository.get_by_id(session, jurisdiction_id)
    if jurisdiction is None:
        raise AreaNotFound(f"No jurisdiction {jurisdiction_id}.")
    return jurisdiction


async def narrower_of(
    session: AsyncSession, reported: Jurisdiction, current_id: int
) -> Jurisdiction:
    """The current placement if it lies inside the reported one, else the reported one."""
    if current_id == reported.id:
        return reported
    current = await repository.get_by_id(session, current_id)
    if current is not None and contains(reported.path, current.path):
        return current
    return reported


async def list_children(session: AsyncSession, area: Jurisdiction) -> list[Jurisdiction]:
    assert area.id is not None
    return await repository.list_children(session, area.id)


async def children_of(
    session: AsyncSession, parent_ids: Sequence[int]
) -> dict[int, list[Jurisdiction]]:
    """Children of visible parents (a visible area's subtree is visible), in one query."""
    children: dict[int, list[Jurisdiction]] = {parent_id: [] for parent_id in parent_ids}
    for child in await repository.list_children_of(session, list(parent_ids)):
        assert child.parent_id is not None
        children[child.parent_id].append(child)
    return children


async def ensure_jurisdiction(
    session: AsyncSession,
    *,
    code: str,
    name: str,
    level: JurisdictionLevel,
    parent_code: str | None,
    name_en: str | None = None,
    synthetic: bool = False,
) -> Jurisdiction:
    """Create the jurisdiction or update its names; the hierarchy itself never moves."""
    existing = await repository.get_by_code(session, code)
    if existing is not None:
        if (existing.name, existing.name_en, existing.synthetic) != (name, name_en, synthetic):
            existing.name, existing.name_en, existing.synthetic = name, name_en, synthetic
            session.add(existing)
            await _log_change(session, existing)
        return existing
    parent = await repository.get_by_code(session, parent_code) if parent_code else None
    if parent_code and parent is None:
        raise AreaNotFound(f"Parent {parent_code!r} of {code!r} does not exist.")
    jurisdiction = Jurisdiction(
        code=code,
        name=name,
        name_en=name_en,
        level=level,
        parent_id=parent.id if parent else None,
        path=child_path(parent.path if parent else None, code),
        synthetic=synthetic,
    )
    await repository.add(session, jurisdiction)
    await _log_change(session, jurisdiction)
    return jurisdiction


async def _log_change(session: AsyncSession, jurisdiction: Jurisdiction) -> None:
    await events_repository.insert(
        session,
        [
            event(
                Kind.REGISTRY_JURISDICTION,
                subject=f"jurisdiction:{jurisdiction.code}",
                area_path=jurisdiction.path,
                payload={"code": jurisdiction.code, "name": jurisdiction.name},
                occurred_at=utc_now(),
            )
        ],
    )


async def find_jurisdiction(session: AsyncSession, code: str) -> Jurisdiction | None:
    """A jurisdiction by code for internal writers, or None."""
    return await repository.get_by_code(session, code)
