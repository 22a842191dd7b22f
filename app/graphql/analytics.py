"""GraphQL types of the analytics answers (energy, utilisation, guidance, siting, uptime).

They are derived from the REST answers' pydantic models (strawberry's pydantic integration),
so both views publish the same fields from one definition; the map of kWh by time-of-use
period (whose names are configuration) is a JSON object, as in REST. Lists that grow with the
area (rows and totals per group, piles, connectors, communities) are paged connections here:
a district's uptime has a row per connector. Each keeps the REST answer in a private `source`
and converts only the page asked for.
"""

from __future__ import annotations

import strawberry
from strawberry.experimental import pydantic as from_model
from strawberry.scalars import JSON

from app.auth.scopes import Scope
from app.energy import schemas as energy
from app.energy.ranges import Granularity
from app.graphql.permissions import scoped
from app.graphql.scalars import DEFAULT_PAGE_SIZE, Cursor, PageSize
from app.graphql.types import Connection, page_of, source_of
from app.guidance import schemas as guidance
from app.uptime import schemas as uptime
from app.utilisation import schemas as utilisation

strawberry.enum(Granularity, name="Granularity")
strawberry.enum(energy.GroupBy, name="GroupBy")


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


def _energy_report_rows(
    root: EnergyReport, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[EnergyRow]:
    """Non-empty buckets per group, in order."""
    return page_of(EnergyRow, source_of(root, energy.EnergyReport).rows, first, after)


def _energy_report_totals(
    root: EnergyReport, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[EnergyTotal]:
    """Every group of the area over the range."""
    return page_of(EnergyTotal, source_of(root, energy.EnergyReport).totals, first, after)


@from_model.type(model=energy.EnergyReport, all_fields=True, use_pydantic_alias=False)
class EnergyReport:
    rows: Connection[EnergyRow] = strawberry.field(
        resolver=_energy_report_rows,
        extensions=scoped(Scope.ENERGY_READ),
        description=_energy_report_rows.__doc__,
    )
    totals: Connection[EnergyTotal] = strawberry.field(
        resolver=_energy_report_totals,
        extensions=scoped(Scope.ENERGY_READ),
        description=_energy_report_totals.__doc__,
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


def _utilisation_report_rows(
    root: UtilisationReport, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[UseRow]:
    """Hours per group and bucket, in order."""
    return page_of(UseRow, source_of(root, utilisation.UtilisationReport).rows, first, after)


def _utilisation_report_totals(
    root: UtilisationReport, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[UseTotal]:
    """Every group of the area over the range."""
    return page_of(UseTotal, source_of(root, utilisation.UtilisationReport).totals, first, after)


@from_model.type(model=utilisation.UtilisationReport, all_fields=True, use_pydantic_alias=False)
class UtilisationReport:
    rows: Connection[UseRow] = strawberry.field(
        resolver=_utilisation_report_rows,
        extensions=scoped(Scope.ENERGY_READ),
        description=_utilisation_report_rows.__doc__,
    )
    totals: Connection[UseTotal] = strawberry.field(
        resolver=_utilisation_report_totals,
        extensions=scoped(Scope.ENERGY_READ),
        description=_utilisation_report_totals.__doc__,
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


def _recommendation_congested(
    root: Recommendation, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[Congestion]:
    """Communities whose piles are all busy in some peak hours, and when."""
    congested = source_of(root, guidance.Recommendation).congested
    return page_of(Congestion, congested, first, after)


def _recommendation_room(
    root: Recommendation, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[Room]:
    """Communities with room, most idle capacity first."""
    return page_of(Room, source_of(root, guidance.Recommendation).room, first, after)


def _recommendation_shifts(
    root: Recommendation, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[Shift]:
    """Suggested moves of charging from congested communities to ones with room."""
    return page_of(Shift, source_of(root, guidance.Recommendation).shifts, first, after)


@from_model.type(model=guidance.Recommendation, all_fields=True)
class Recommendation:
    congested: Connection[Congestion] = strawberry.field(
        resolver=_recommendation_congested,
        extensions=scoped(Scope.ENERGY_READ),
        description=_recommendation_congested.__doc__,
    )
    room: Connection[Room] = strawberry.field(
        resolver=_recommendation_room,
        extensions=scoped(Scope.ENERGY_READ),
        description=_recommendation_room.__doc__,
    )
    shifts: Connection[Shift] = strawberry.field(
        resolver=_recommendation_shifts,
        extensions=scoped(Scope.ENERGY_READ),
        description=_recommendation_shifts.__doc__,
    )


def _off_peak_guidance_communities(
    root: OffPeakGuidance, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[OffPeakCommunity]:
    """Every community of the area."""
    return page_of(
        OffPeakCommunity, source_of(root, guidance.OffPeakGuidance).communities, first, after
    )


@from_model.type(model=guidance.OffPeakGuidance, all_fields=True, use_pydantic_alias=False)
class OffPeakGuidance:
    communities: Connection[OffPeakCommunity] = strawberry.field(
        resolver=_off_peak_guidance_communities,
        extensions=scoped(Scope.ENERGY_READ),
        description=_off_peak_guidance_communities.__doc__,
    )


@from_model.type(model=guidance.SitingCommunity, all_fields=True)
class SitingCommunity:
    pass


def _siting_insight_communities(
    root: SitingInsight, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[SitingCommunity]:
    """Highest demand pressure first."""
    return page_of(
        SitingCommunity, source_of(root, guidance.SitingInsight).communities, first, after
    )


@from_model.type(model=guidance.SitingInsight, all_fields=True, use_pydantic_alias=False)
class SitingInsight:
    communities: Connection[SitingCommunity] = strawberry.field(
        resolver=_siting_insight_communities,
        extensions=scoped(Scope.ENERGY_READ),
        description=_siting_insight_communities.__doc__,
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


def _uptime_report_piles(
    root: UptimeReport, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[PileUptime]:
    """Every pile of the area."""
    return page_of(PileUptime, source_of(root, uptime.UptimeReport).piles, first, after)


def _uptime_report_connectors(
    root: UptimeReport, first: PageSize = DEFAULT_PAGE_SIZE, after: Cursor | None = None
) -> Connection[ConnectorUptime]:
    """Every connector of the area."""
    return page_of(ConnectorUptime, source_of(root, uptime.UptimeReport).connectors, first, after)


@from_model.type(model=uptime.UptimeReport, all_fields=True, use_pydantic_alias=False)
class UptimeReport:
    piles: Connection[PileUptime] = strawberry.field(
        resolver=_uptime_report_piles,
        extensions=scoped(Scope.STATUS_READ),
        description=_uptime_report_piles.__doc__,
    )
    connectors: Connection[ConnectorUptime] = strawberry.field(
        resolver=_uptime_report_connectors,
        extensions=scoped(Scope.STATUS_READ),
        description=_uptime_report_connectors.__doc__,
    )
