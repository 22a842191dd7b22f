"""Mutations: alert lifecycle and the maintenance flag, with typed errors a client can switch
on (`__typename`) rather than parse messages. Each is audited like its REST route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry
from pydantic import ValidationError

from app.alerts import service as alerts_service
from app.alerts.errors import AlertAlreadyResolved, AlertNotFound
from app.alerts.schemas import Acknowledge, AlertPublic, OutageReason, Resolve
from app.auth.scopes import Scope
from app.core.deps import WriteSessionDep
from app.graphql.context import GraphQLInfo
from app.graphql.permissions import scoped
from app.graphql.scalars import LogId
from app.graphql.types import Alert, converted
from app.piles.errors import PileNotFound
from app.status import service as status_service


@strawberry.type
class AlertChanged:
    alert: Alert


@strawberry.type
class MaintenanceSet:
    pile_id: int
    flagged: bool


@strawberry.type
class NotFoundError:
    message: str


@strawberry.type
class AlreadyResolvedError:
    message: str


@strawberry.type
class InvalidInputError:
    message: str
    field: str


AlertResult = Annotated[
    AlertChanged | NotFoundError | AlreadyResolvedError | InvalidInputError,
    strawberry.union("AlertResult"),
]
MaintenanceResult = Annotated[
    MaintenanceSet | NotFoundError | InvalidInputError, strawberry.union("MaintenanceResult")
]


def _invalid(error: ValidationError) -> InvalidInputError:
    first = error.errors()[0]
    return InvalidInputError(
        message=str(first["msg"]), field=".".join(str(part) for part in first["loc"])
    )


async def _changed(
    info: GraphQLInfo, change: Callable[[WriteSessionDep], Awaitable[AlertPublic]]
) -> AlertResult:
    """Run one alert change in a write transaction; its domain refusals as typed results."""
    try:
        async with info.context.app.database.session(write=True) as session:
            alert = await change(session)
    except AlertNotFound as error:
        return NotFoundError(message=error.detail)
    except AlertAlreadyResolved as error:
        return AlreadyResolvedError(message=error.detail)
    return AlertChanged(alert=converted(Alert, alert))


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=scoped(Scope.ALERTS_WRITE))
    async def acknowledge_alert(
        self, info: GraphQLInfo, id: LogId, note: str | None = None
    ) -> AlertResult:
        """Someone is on it: acknowledged by the caller, with a note."""
        try:
            body = Acknowledge(note=note)
        except ValidationError as error:
            return _invalid(error)
        caller = info.context.caller
        return await _changed(
            info, lambda session: alerts_service.acknowledge(session, caller, id, note=body.note)
        )

    @strawberry.mutation(extensions=scoped(Scope.ALERTS_WRITE))
    async def resolve_alert(
        self,
        info: GraphQLInfo,
        id: LogId,
        note: str | None = None,
        outage_reason: OutageReason | None = None,
    ) -> AlertResult:
        """Resolved by the caller; an outage reason keeps it out of uptime."""
        try:
            body = Resolve(note=note, outage_reason=outage_reason)
        except ValidationError as error:
            return _invalid(error)
        caller = info.context.caller
        return await _changed(
            info,
            lambda session: alerts_service.resolve(
                session, caller, id, note=body.note, outage_reason=body.outage_reason
            ),
        )

    @strawberry.mutation(extensions=scoped(Scope.ALERTS_WRITE))
    async def set_pile_maintenance(
        self, info: GraphQLInfo, pile_id: int, flagged: bool, note: str | None = None
    ) -> MaintenanceResult:
        """Flag a pile for maintenance (red on the board, an alert) or clear the flag."""
        try:
            body = Acknowledge(note=note)  # the same note rules
        except ValidationError as error:
            return _invalid(error)
        context = info.context
        try:
            async with context.app.database.session(write=True) as session:
                await status_service.set_maintenance(
                    session, context.caller, pile_id=pile_id, flagged=flagged, note=body.note,
                    rules=context.app.settings.colour,
                )  # fmt: skip
        except PileNotFound as error:
            return NotFoundError(message=error.detail)
        return MaintenanceSet(pile_id=pile_id, flagged=flagged)
