"""Root fields of the analytics: the same services, settings and scopes as their REST routes
(energy, utilisation and guidance under `energy:read`; uptime, a summary of the status
history, under `status:read`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from app.auth.scopes import Scope
from app.energy import service as energy_service
from app.energy.ranges import Granularity
from app.energy.schemas import GroupBy
from app.graphql.analytics import (
    EnergyReport,
    OffPeakGuidance,
    SitingInsight,
    UptimeReport,
    UtilisationReport,
)
from app.graphql.context import GraphQLInfo
from app.graphql.permissions import scoped
from app.graphql.scalars import AreaCode
from app.graphql.types import converted
from app.guidance import service as guidance_service
from app.uptime import service as uptime_service
from app.utilisation import service as utilisation_service

From = Annotated[
    date | None, strawberry.argument(name="from", description="First local day (included).")
]
To = Annotated[
    date | None, strawberry.argument(name="to", description="Last local day (included).")
]


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(extensions=scoped(Scope.ENERGY_READ))
    async def energy(
        self,
        info: GraphQLInfo,
        area: AreaCode | None = None,
        granularity: Granularity = Granularity.DAY,
        first: From = None,
        last: To = None,
        group_by: GroupBy = GroupBy.COMMUNITY,
    ) -> EnergyReport:
        """kWh, sessions and the time-of-use split of an area per group and day or month."""
        context = info.context
        async with context.app.database.session() as session:
            report = await energy_service.energy_report(
                session, context.caller, area=area, granularity=granularity, first=first,
                last=last, group_by=group_by, settings=context.app.settings.energy,
            )  # fmt: skip
        return converted(EnergyReport, report)

    @strawberry.field(extensions=scoped(Scope.ENERGY_READ))
    async def utilisation(
        self,
        info: GraphQLInfo,
        area: AreaCode | None = None,
        granularity: Granularity = Granularity.DAY,
        first: From = None,
        last: To = None,
        group_by: GroupBy = GroupBy.COMMUNITY,
    ) -> UtilisationReport:
        """Busy and charging hours ÷ available hours, and the hour × weekday profile."""
        context = info.context
        async with context.app.database.session() as session:
            report = await utilisation_service.utilisation_report(
                session, context.caller, area=area, granularity=granularity, first=first,
                last=last, group_by=group_by, settings=context.app.settings.energy,
            )  # fmt: skip
        return converted(UtilisationReport, report)

    @strawberry.field(extensions=scoped(Scope.ENERGY_READ))
    async def off_peak_guidance(
        self, info: GraphQLInfo, area: AreaCode | None = None, first: From = None, last: To = None
    ) -> OffPeakGuidance:
        """Per community: peak load share, valley headroom, idle capacity; and where and when
        owners could charge instead (错时错峰)."""
        context = info.context
        async with context.app.database.session() as session:
            guidance = await guidance_service.off_peak_guidance(
                session, context.caller, area=area, first=first, last=last,
                settings=context.app.settings.energy,
            )  # fmt: skip
        return converted(OffPeakGuidance, guidance)

    @strawberry.field(extensions=scoped(Scope.ENERGY_READ))
    async def siting(
        self, info: GraphQLInfo, area: AreaCode | None = None, first: From = None, last: To = None
    ) -> SitingInsight:
        """Communities ranked by demand pressure, with the figures behind each rank."""
        context = info.context
        async with context.app.database.session() as session:
            insight = await guidance_service.siting_insight(
                session, context.caller, area=area, first=first, last=last,
                settings=context.app.settings.energy,
            )  # fmt: skip
        return converted(SitingInsight, insight)

    @strawberry.field(extensions=scoped(Scope.STATUS_READ))
    async def uptime(
        self, info: GraphQLInfo, area: AreaCode | None = None, first: From = None, last: To = None
    ) -> UptimeReport:
        """NEVI uptime, UK reliability, faults and mean time to repair per connector and pile."""
        context = info.context
        settings = context.app.settings
        async with context.app.database.session() as session:
            report = await uptime_service.uptime_report(
                session, context.caller, area=area, first=first, last=last,
                settings=settings.energy, offline_grace=settings.colour.offline_grace,
            )  # fmt: skip
        return converted(UptimeReport, report)
