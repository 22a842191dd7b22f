"""GraphQL types of the analytics answers (energy, utilisation, guidance, siting, uptime).

They are derived from the REST answers' pydantic models (strawberry's pydantic integration),
so both views publish the same fields from one definition; the map of kWh by time-of-use
period (whose names are configuration) is a JSON object, as in REST. Lists that grow with the
area (rows and totals per group, piles, connectors, communities) are paged connections here:
a district's uptime has a row per connector. `paged` declares each: it pages the REST answer
the object was converted from (`converted` keeps it) and converts only the page asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import strawberry
from pydantic import BaseModel
from strawberry.experimental import pydantic as from_model
from strawberry.scalars import JSON

from app.auth.scopes import Scope
from app.energy import schemas as energy
from app.energy.ranges import Granularity
from app.graphql.permissions import scoped
from app.graphql.scalars import DEFAULT_PAGE_SIZE, Cursor, PageSize
from app.graphql.types import Connection, T, page_of, source_of
from app.guidance import schemas as guidance
from app.uptime import schemas as uptime
from app.utilisation import schemas as utilisation

strawberry.enum(Granularity, name="Granularity")
strawberry.enum(energy.GroupBy, name="GroupBy")


M = TypeVar("M", bound=BaseModel)


def paged(
    kind: type[T],
    model: type[M],
    items: Callable[[M], Sequence[BaseModel]],
    scope: Scope,
    description: str,
) -> Any:
    """A field that pages a list of the REST answer (`items` of it) as a connection of
    `kind`, under `scope`: one definition for every paged list of the analytics types."""

    def resolve(
        root: Any, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
    ) -> Connection[Any]:
        return page_of(kind, items(source_of(root, model)), first, after)

    # strawberry takes the field's GraphQL type from the resolver: the concrete item type.
    resolve.__annotations__["return"] = Connection[kind]  # type: ignore[valid-type]
    return strawberry.field(resolver=resolve, extensions=scoped(scope), description=description)


@from_model.type(model=energy.GroupRef, all_fields=True)
class GroupRef:
    pass


@from_model.type(model=energy.AreaRef, all_fields=True)
class AreaRef:
    pass


@from_model.type(model=energy.EnergyRow, all_fields=True)
class EnergyRow:
    by_period: JSON


@from_model.type(model=energy.EnergyTotal, all_fields=True)
class EnergyTotal:
    by_period: JSON


@from_model.type(model=energy.EnergyReport, all_fields=True, use_pydantic_alias=False)
class EnergyReport:
    rows: Connection[EnergyRow] = paged(
        EnergyRow,
        energy.EnergyReport,
        lambda answer: answer.rows,
        Scope.ENERGY_READ,
        "Non-empty buckets per group, in order.",
    )
    totals: Connection[EnergyTotal] = paged(
        EnergyTotal,
        energy.EnergyReport,
        lambda answer: answer.totals,
        Scope.ENERGY_READ,
        "Every group of the area over the range.",
    )


@from_model.type(model=utilisation.UseRow, all_fields=True)
class UseRow:
    pass


@from_model.type(model=utilisation.UseTotal, all_fields=True)
class UseTotal:
    pass


@from_model.type(model=utilisation.ProfileCell, all_fields=True)
class ProfileCell:
    pass


@from_model.type(model=utilisation.UtilisationReport, all_fields=True, use_pydantic_alias=False)
class UtilisationReport:
    rows: Connection[UseRow] = paged(
        UseRow,
        utilisation.UtilisationReport,
        lambda answer: answer.rows,
        Scope.ENERGY_READ,
        "Hours per group and bucket, in order.",
    )
    totals: Connection[UseTotal] = paged(
        UseTotal,
        utilisation.UtilisationReport,
        lambda answer: answer.totals,
        Scope.ENERGY_READ,
        "Every group of the area over the range.",
    )


@from_model.type(model=guidance.CommunityRef, all_fields=True)
class CommunityRef:
    pass


@from_model.type(model=guidance.HourWindow, all_fields=True)
class HourWindow:
    pass


@from_model.type(model=guidance.OffPeakCommunity, all_fields=True)
class OffPeakCommunity:
    pass


@from_model.type(model=guidance.Congestion, all_fields=True)
class Congestion:
    pass


@from_model.type(model=guidance.Room, all_fields=True)
class Room:
    pass


@from_model.type(model=guidance.Shift, all_fields=True)
class Shift:
    pass


@from_model.type(model=guidance.NotJudged, all_fields=True)
class NotJudged:
    pass


@from_model.type(model=guidance.Recommendation, all_fields=True)
class Recommendation:
    congested: Connection[Congestion] = paged(
        Congestion,
        guidance.Recommendation,
        lambda answer: answer.congested,
        Scope.ENERGY_READ,
        "Communities whose piles are all busy in some peak hours, and when.",
    )
    room: Connection[Room] = paged(
        Room,
        guidance.Recommendation,
        lambda answer: answer.room,
        Scope.ENERGY_READ,
        "Communities with room, most idle capacity first.",
    )
    shifts: Connection[Shift] = paged(
        Shift,
        guidance.Recommendation,
        lambda answer: answer.shifts,
        Scope.ENERGY_READ,
        "Suggested moves of charging from congested communities to ones with room.",
    )
    not_judged: Connection[NotJudged] = paged(
        NotJudged,
        guidance.Recommendation,
        lambda answer: answer.not_judged,
        Scope.ENERGY_READ,
        "Communities left out of the advice, with the reason.",
    )


@from_model.type(model=guidance.OffPeakGuidance, all_fields=True, use_pydantic_alias=False)
class OffPeakGuidance:
    communities: Connection[OffPeakCommunity] = paged(
        OffPeakCommunity,
        guidance.OffPeakGuidance,
        lambda answer: answer.communities,
        Scope.ENERGY_READ,
        "Every community of the area.",
    )


@from_model.type(model=guidance.SitingCommunity, all_fields=True)
class SitingCommunity:
    pass


@from_model.type(model=guidance.SitingInsight, all_fields=True, use_pydantic_alias=False)
class SitingInsight:
    communities: Connection[SitingCommunity] = paged(
        SitingCommunity,
        guidance.SitingInsight,
        lambda answer: answer.communities,
        Scope.ENERGY_READ,
        "Highest demand pressure first.",
    )


@from_model.type(model=uptime.StatusHours, all_fields=True)
class StatusHours:
    pass


@from_model.type(model=uptime.UptimeFigures, all_fields=True)
class UptimeFigures:
    pass


@from_model.type(model=uptime.PileUptime, all_fields=True)
class PileUptime:
    pass


@from_model.type(model=uptime.ConnectorUptime, all_fields=True)
class ConnectorUptime:
    pass


@from_model.type(model=uptime.UptimeReport, all_fields=True, use_pydantic_alias=False)
class UptimeReport:
    piles: Connection[PileUptime] = paged(
        PileUptime,
        uptime.UptimeReport,
        lambda answer: answer.piles,
        Scope.STATUS_READ,
        "Every pile of the area.",
    )
    connectors: Connection[ConnectorUptime] = paged(
        ConnectorUptime,
        uptime.UptimeReport,
        lambda answer: answer.connectors,
        Scope.STATUS_READ,
        "Every connector of the area.",
    )
