"""The root query: each field declares its scope and calls the service its REST route calls."""

from __future__ import annotations

import strawberry

from app.alerts import service as alerts_service
from app.alerts.schemas import AlertState
from app.auth.scopes import Scope
from app.board import service as board_service
from app.graphql.analytics_query import AnalyticsQuery
from app.graphql.context import GraphQLInfo
from app.graphql.permissions import scoped
from app.graphql.scalars import DEFAULT_PAGE_SIZE, AreaCode, Cursor, LogCursor, PageSize
from app.graphql.types import (
    Alert,
    Board,
    Connection,
    Jurisdiction,
    LogConnection,
    Pile,
    Severity,
    connection,
    converted,
    log_connection,
    page_params,
)
from app.jurisdictions import service as jurisdictions_service
from app.models.states import Colour
from app.piles import service as piles_service
from app.piles.errors import PileNotFound


@strawberry.type
class Query(AnalyticsQuery):
    @strawberry.field(extensions=scoped(Scope.REGISTRY_READ))
    async def area(self, info: GraphQLInfo, code: AreaCode | None = None) -> Jurisdiction:
        """An area of the caller's (its own by default); its subtree through `children`."""
        context = info.context
        async with context.app.database.session() as session:
            row = await jurisdictions_service.get_visible_area(session, context.caller, code)
        return Jurisdiction.of(row)

    @strawberry.field(extensions=scoped(Scope.STATUS_READ))
    async def board(self, info: GraphQLInfo, area: AreaCode | None = None) -> Board:
        """The big screen of an area: counts by colour and each pile's colour."""
        context = info.context
        settings, database = context.app.settings, context.app.database
        version = await context.app.snapshots.latest_version(database)
        async with database.session() as session:
            board = await board_service.get_board(
                session, context.caller, area=area, version=version,
                max_piles=settings.board_max_piles,
            )  # fmt: skip
        return Board.of(board)

    @strawberry.field(extensions=scoped(Scope.REGISTRY_READ))
    async def piles(
        self,
        info: GraphQLInfo,
        area: AreaCode | None = None,
        colour: Colour | None = None,
        community: AreaCode | None = None,
        first: PageSize = DEFAULT_PAGE_SIZE,
        after: Cursor | None = None,
    ) -> Connection[Pile]:
        """Piles of an area in id order, optionally of one colour or community."""
        context = info.context
        async with context.app.database.session() as session:
            page = await piles_service.list_piles(
                session, context.caller, area=area, colour=colour, community=community,
                page=page_params(first, after),
            )  # fmt: skip
        nodes = [Pile.of(pile) for pile in page.items]
        return connection(nodes, page.next_cursor is not None)

    @strawberry.field(extensions=scoped(Scope.REGISTRY_READ))
    async def pile(self, info: GraphQLInfo, id: int) -> Pile | None:
        """One pile of the caller's area; null when there is none."""
        context = info.context
        async with context.app.database.session() as session:
            try:
                return Pile.of(await piles_service.get_pile(session, context.caller, pile_id=id))
            except PileNotFound:
                return None

    @strawberry.field(extensions=scoped(Scope.ALERTS_READ))
    async def alerts(
        self,
        info: GraphQLInfo,
        area: AreaCode | None = None,
        states: list[AlertState] | None = None,
        severity: Severity | None = None,
        first: PageSize = DEFAULT_PAGE_SIZE,
        after: LogCursor | None = None,
    ) -> LogConnection[Alert]:
        """Alerts of an area, newest first."""
        context = info.context
        async with context.app.database.session() as session:
            page = await alerts_service.list_alerts(
                session, context.caller, area=area, states=states,
                severity=severity.value if severity else None, page=page_params(first, after),
            )  # fmt: skip
        nodes = [converted(Alert, alert) for alert in page.items]
        return log_connection(nodes, page.next_cursor is not None)
