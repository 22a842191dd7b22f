"""GraphQL object types: the REST read models, as types, plus the nested fields that load.

Plain fields carry what the parent's (scoped) resolver already loaded; a field that loads
more declares its own scope, and loads through the services REST uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar, cast

import strawberry
from pydantic import BaseModel
from strawberry.experimental import pydantic as from_model
from strawberry.experimental.pydantic.conversion import convert_pydantic_model_to_strawberry_class

from app.alerts.schemas import AlertPublic, AlertState, OutageReason
from app.auth.scopes import Scope
from app.board.schemas import Board as BoardModel
from app.board.schemas import BoardPile as BoardPileModel
from app.board.schemas import ColourCounts as ColourCountsModel
from app.board.schemas import JurisdictionSummary
from app.core.pagination import PageParams
from app.graphql.context import GraphQLInfo
from app.graphql.permissions import scoped
from app.graphql.scalars import (
    DEFAULT_PAGE_SIZE,
    AreaCode,
    Cursor,
    LogCursor,
    LogId,
    PageSize,
)
from app.models import Jurisdiction as JurisdictionRow
from app.models import JurisdictionLevel
from app.models.states import Cause as ColourCause
from app.models.states import Colour, ConnectorState
from app.piles.schemas import ConnectorPublic, PilePublic
from app.status import service as status_service
from app.status.schemas import StatusChangePublic

strawberry.enum(Colour, name="Colour")
strawberry.enum(ColourCause, name="ColourCause", description=ColourCause.__doc__)
strawberry.enum(ConnectorState, name="ConnectorState")
strawberry.enum(AlertState, name="AlertState")
strawberry.enum(OutageReason, name="OutageReason")
strawberry.enum(JurisdictionLevel, name="JurisdictionLevel")

T = TypeVar("T")


@strawberry.enum
class Severity(StrEnum):
    YELLOW = "yellow"
    RED = "red"


@strawberry.type
class PageInfo:
    end_cursor: Cursor | None
    has_next_page: bool


@strawberry.type
class LogPageInfo:
    end_cursor: LogCursor | None
    has_next_page: bool


@strawberry.type
class Connection(Generic[T]):
    """A page of a list (registry lists in id order, analytics rows in the REST answer's
    order); continue with `after: pageInfo.endCursor`."""

    nodes: list[T]
    page_info: PageInfo


@strawberry.type
class LogConnection(Generic[T]):
    """A page of a log-backed list, newest first; continue with `after: pageInfo.endCursor`."""

    nodes: list[T]
    page_info: LogPageInfo


def page_params(first: int, after: int | None) -> PageParams:
    return PageParams(after_id=after, limit=first)


class _Keyed(Protocol):
    @property
    def id(self) -> int: ...  # read-only, so LogId ids qualify too


K = TypeVar("K", bound=_Keyed)


def _end(nodes: Sequence[_Keyed], more: bool) -> int | None:
    """The cursor of a page: its last node's id, when more follow."""
    return nodes[-1].id if more and nodes else None


def connection(nodes: list[K], more: bool) -> Connection[K]:
    end = _end(nodes, more)
    page_info = PageInfo(end_cursor=Cursor(end) if end is not None else None, has_next_page=more)
    return Connection(nodes=nodes, page_info=page_info)


def log_connection(nodes: list[K], more: bool) -> LogConnection[K]:
    end = _end(nodes, more)
    end_cursor = LogCursor(end) if end is not None else None
    return LogConnection(
        nodes=nodes, page_info=LogPageInfo(end_cursor=end_cursor, has_next_page=more)
    )


def converted(kind: type[T], answer: BaseModel) -> T:
    """The GraphQL object of a REST answer, for types derived from its pydantic model. It
    keeps the answer, as strawberry's own `from_pydantic` does, for its paged lists."""
    result = convert_pydantic_model_to_strawberry_class(kind, model_instance=answer)
    result._original_model = answer
    return cast(T, result)


M = TypeVar("M", bound=BaseModel)


def source_of(derived: object, model: type[M]) -> M:
    """The REST answer a derived object was converted from (see `converted`)."""
    answer = getattr(derived, "_original_model", None)
    assert isinstance(answer, model), "converted() keeps the answer"
    return answer


X = TypeVar("X")


def slice_page(
    items: Sequence[X], first: int, after: int | None, build: Callable[[X], T]
) -> Connection[T]:
    """A page of a list held in memory (analytics rows, an area's children, a pile's
    connectors): the cursor is a position in the list, and only the page's items are built."""
    start = min(after or 0, len(items))
    chunk = items[start : start + first]
    more = start + len(chunk) < len(items)
    end = Cursor(start + len(chunk)) if more else None
    return Connection(
        nodes=[build(item) for item in chunk],
        page_info=PageInfo(end_cursor=end, has_next_page=more),
    )


def page_of(
    kind: type[T], items: Sequence[BaseModel], first: int, after: int | None
) -> Connection[T]:
    """A page of a REST answer's list, as objects of its derived type."""
    return slice_page(items, first, after, lambda item: converted(kind, item))


@strawberry.type
class ColourCounts:
    green: int
    yellow: int
    red: int
    unknown: int
    total: int

    @classmethod
    def of(cls, counts: ColourCountsModel) -> ColourCounts:
        return cls(**counts.model_dump())


@strawberry.type
class JurisdictionRef:
    code: str
    name: str
    level: str


@strawberry.type
class Jurisdiction:
    """A unit of the government hierarchy the caller may see; walk down with `children`."""

    code: AreaCode
    name: str
    name_en: str | None
    level: JurisdictionLevel
    synthetic: bool
    row_id: strawberry.Private[int]
    path: strawberry.Private[str]

    @classmethod
    def of(cls, row: JurisdictionRow) -> Jurisdiction:
        assert row.id is not None
        return cls(
            code=AreaCode(row.code), name=row.name, name_en=row.name_en, level=row.level,
            synthetic=row.synthetic, row_id=row.id, path=row.path,
        )  # fmt: skip

    @strawberry.field(extensions=scoped(Scope.REGISTRY_READ))
    async def children(
        self, info: GraphQLInfo, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
    ) -> Connection[Jurisdiction]:
        """The units directly below this one, by code."""
        rows = await info.context.loaders.children.load(self.row_id)
        return slice_page(rows, first, after, Jurisdiction.of)

    @strawberry.field(extensions=scoped(Scope.STATUS_READ))
    async def counts(self, info: GraphQLInfo) -> ColourCounts:
        """Piles by board colour in this unit."""
        return ColourCounts.of(await info.context.loaders.counts.load(self.path))


@strawberry.type
class AreaSummary:
    code: AreaCode
    name: str
    name_en: str | None
    level: JurisdictionLevel
    synthetic: bool
    counts: ColourCounts

    @classmethod
    def of(cls, summary: JurisdictionSummary) -> AreaSummary:
        return cls(
            code=AreaCode(summary.code), name=summary.name, name_en=summary.name_en,
            level=summary.level, synthetic=summary.synthetic,
            counts=ColourCounts.of(summary.counts),
        )  # fmt: skip


@strawberry.type
class BoardPile:
    id: int
    equipment_id: str
    name: str | None
    colour: Colour
    colour_since: datetime
    colour_cause: ColourCause | None
    maintenance: bool
    community: JurisdictionRef
    station_id: str
    synthetic: bool

    @classmethod
    def of(cls, pile: BoardPileModel) -> BoardPile:
        return cls(
            id=pile.id, equipment_id=pile.equipment_id, name=pile.name, colour=pile.colour,
            colour_since=pile.colour_since, colour_cause=pile.colour_cause,
            maintenance=pile.maintenance, community=JurisdictionRef(**pile.community.model_dump()),
            station_id=pile.station_id, synthetic=pile.synthetic,
        )  # fmt: skip


@strawberry.type
class Board:
    """The big screen of an area: counts by colour, its children's, and its piles."""

    area: AreaSummary
    data_version: int = strawberry.field(description="Newest change event reflected here.")
    piles_included: bool = strawberry.field(
        description="False when the area has more piles than a board lists; use `piles`."
    )
    child_summaries: strawberry.Private[list[JurisdictionSummary]]
    board_piles: strawberry.Private[list[BoardPileModel]]

    @classmethod
    def of(cls, board: BoardModel) -> Board:
        return cls(
            area=AreaSummary.of(board.area), data_version=board.data_version,
            child_summaries=board.children, piles_included=board.piles_included,
            board_piles=board.piles,
        )  # fmt: skip

    @strawberry.field(extensions=scoped(Scope.STATUS_READ))
    def children(
        self, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
    ) -> Connection[AreaSummary]:
        """The units directly below the area, with their counts."""
        return slice_page(self.child_summaries, first, after, AreaSummary.of)

    @strawberry.field(extensions=scoped(Scope.STATUS_READ))
    def piles(
        self, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
    ) -> Connection[BoardPile]:
        """The board's piles in id order."""
        rest = [pile for pile in self.board_piles if after is None or pile.id > after]
        return connection([BoardPile.of(pile) for pile in rest[:first]], len(rest) > first)


@from_model.type(model=StatusChangePublic, all_fields=True)
class StatusChange:
    """A connector's status change (the REST history item)."""

    id: LogId  # spelled out: pages take their cursor from it; 64-bit


@strawberry.type
class Connector:
    id: int
    connector_id: str
    name: str | None
    connector_type: int
    power_kw: float
    status: ConnectorState
    raw_code: int | None
    status_since: datetime | None
    observed_at: datetime | None
    received_at: datetime | None
    source: str | None

    @classmethod
    def of(cls, connector: ConnectorPublic) -> Connector:
        return cls(**connector.model_dump())

    @strawberry.field(extensions=scoped(Scope.STATUS_READ))
    async def history(
        self,
        info: GraphQLInfo,
        first: PageSize = DEFAULT_PAGE_SIZE,
        after: LogCursor | None = None,
    ) -> LogConnection[StatusChange]:
        """Status changes, newest first."""
        context = info.context
        async with context.app.database.session() as session:
            page = await status_service.connector_history(
                session, context.caller, connector_id=self.id, page=page_params(first, after)
            )
        nodes = [converted(StatusChange, item) for item in page.items]
        return log_connection(nodes, page.next_cursor is not None)


@strawberry.type
class StationRef:
    id: int
    station_id: str
    name: str


@strawberry.type
class Location:
    lng: float
    lat: float


@strawberry.type
class Pile:
    id: int
    operator_id: str
    equipment_id: str
    name: str | None
    equipment_type: int
    power_kw: float
    colour: Colour
    colour_since: datetime
    colour_cause: ColourCause | None
    maintenance: bool
    community: JurisdictionRef
    station: StationRef
    location: Location | None
    synthetic: bool
    loaded_connectors: strawberry.Private[list[ConnectorPublic]]

    @classmethod
    def of(cls, pile: PilePublic) -> Pile:
        return cls(
            id=pile.id, operator_id=pile.operator_id, equipment_id=pile.equipment_id,
            name=pile.name, equipment_type=pile.equipment_type, power_kw=pile.power_kw,
            colour=pile.colour, colour_since=pile.colour_since, colour_cause=pile.colour_cause,
            maintenance=pile.maintenance,
            community=JurisdictionRef(**pile.community.model_dump()),
            station=StationRef(**pile.station.model_dump()),
            location=Location(**pile.location.model_dump()) if pile.location else None,
            synthetic=pile.synthetic, loaded_connectors=pile.connectors,
        )  # fmt: skip

    @strawberry.field(extensions=scoped(Scope.STATUS_READ))
    def connectors(
        self, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
    ) -> Connection[Connector]:
        """The pile's connectors with their current status."""
        return slice_page(self.loaded_connectors, first, after, Connector.of)


@from_model.type(model=AlertPublic, all_fields=True)
class Alert:
    """An alert (the REST item): opened when a pile turns yellow or red."""

    id: LogId  # spelled out: pages take their cursor from it; 64-bit
