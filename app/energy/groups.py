"""Who a row of analytics belongs to: a pile, or the community, street or district above it.

Codes are fixed-width (district 6 digits, street 9, community 12), so a jurisdiction's path
cut after its level's length is the path of its ancestor at that level: the SQL groups by
`substr(path, 1, n)` on both databases, and this index turns those keys into names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.core.paths import codes_of
from app.energy.schemas import GroupBy, GroupRef
from app.jurisdictions import repository as jurisdictions_repository
from app.models import Jurisdiction, JurisdictionLevel
from app.piles import repository as piles_repository

# Path length of a node at each level: "310000/" + "310105/" + "310105011/" + 12 digits + "/".
PREFIX = {GroupBy.DISTRICT: 14, GroupBy.STREET: 24, GroupBy.COMMUNITY: 37}
_LEVELS = {
    GroupBy.DISTRICT: [JurisdictionLevel.CITY, JurisdictionLevel.DISTRICT],
    GroupBy.STREET: [JurisdictionLevel.CITY, JurisdictionLevel.DISTRICT, JurisdictionLevel.STREET],
    GroupBy.COMMUNITY: list(JurisdictionLevel),
}


@dataclass(slots=True)
class GroupIndex:
    """Keys (a pile id or a jurisdiction path, as text) -> what the API shows for them."""

    group_by: GroupBy
    prefix: int | None  # None: grouped by pile id
    refs: dict[str, GroupRef]
    listed: list[str]  # the groups every answer lists, even with no data
    piles: dict[int, str] = field(default_factory=dict)  # pile id -> group key
    _order: dict[str, int] = field(default_factory=dict)

    def key_of(self, raw: object) -> str | None:
        key = str(raw)
        return key if key in self.refs else None

    def keys(self) -> list[str]:
        return self.listed

    def __post_init__(self) -> None:
        self._order = {key: i for i, key in enumerate(self.listed)}

    def note(self, key: str) -> None:
        """A group seen in the data but not listed up front (piles placed on a node above
        the level, when the index was built without piles)."""
        if key not in self._order:
            self._order[key] = len(self.listed)
            self.listed.append(key)

    def order(self, key: str) -> int:
        return self._order.get(key, len(self.listed))

    def ref(self, key: str) -> GroupRef:
        return self.refs[key]

    def group_of_pile(self, pile_id: int) -> str | None:
        return self.piles.get(pile_id)


async def group_index(
    session: AsyncSession,
    principal: Principal,
    area_path: str,
    group_by: GroupBy,
    *,
    with_piles: bool = True,
) -> GroupIndex:
    """The groups of an area (inside the caller's area) and, `with_piles`, every pile's group.

    Grouping SQL by path needs no pile list; a city has ~100,000 piles, so the energy route
    asks for them only when it groups by pile."""
    piles = (
        await piles_repository.list_visible(session, principal, area_path=area_path)
        if with_piles or group_by is GroupBy.PILE
        else []
    )
    if group_by is GroupBy.PILE:
        refs = {
            str(pile.id): GroupRef(
                kind=group_by, code=pile.equipment_id, name=pile.name, pile_id=pile.id,
                community=community.code,
            )
            for pile, community, _station, _operator in piles
        }  # fmt: skip
        return GroupIndex(
            group_by, None, refs, list(refs),
            {pile.id: str(pile.id) for pile, *_ in piles if pile.id is not None},
        )  # fmt: skip
    # An area below the level is its own (single) group, whatever its own level.
    below = len(area_path) > PREFIX[group_by]
    prefix = max(PREFIX[group_by], len(area_path))
    levels = list(JurisdictionLevel) if below else _LEVELS[group_by]
    nodes = await jurisdictions_repository.list_in_subtree(
        session, principal, area_path, [str(level) for level in levels]
    )
    refs = {node.path: _ref(group_by, node) for node in nodes if len(node.path) <= prefix}
    listed = [node.path for node in nodes if len(node.path) == prefix]
    pile_groups = {
        pile.id: community.path[:prefix] for pile, community, *_ in piles if pile.id is not None
    }
    # Piles placed directly on a node above the level form a group of their own.
    listed += sorted({key for key in pile_groups.values() if key in refs} - set(listed))
    return GroupIndex(group_by, prefix, refs, listed, pile_groups)


def _ref(group_by: GroupBy, node: Jurisdiction) -> GroupRef:
    return GroupRef(kind=group_by, code=codes_of(node.path)[-1], name=node.name)
