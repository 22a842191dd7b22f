"""GraphQL types of the analytics answers (energy, utilisation, guidance, siting, uptime).

They are derived from the REST answers' pydantic models (strawberry's pydantic integration),
so both views publish the same fields from one definition; the map of kWh by time-of-use
period (whose names are configuration) is a JSON object, as in REST.
"""

from __future__ import annotations

import strawberry
from strawberry.experimental import pydantic as from_model
from strawberry.scalars import JSON

from app.energy import schemas as energy
from app.energy.ranges import Granularity
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


@from_model.type(model=energy.EnergyReport, all_fields=True, use_pydantic_alias=False)
class EnergyReport:
    pass


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
    pass


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


@from_model.type(model=guidance.Recommendation, all_fields=True)
class Recommendation:
    pass


@from_model.type(model=guidance.OffPeakGuidance, all_fields=True, use_pydantic_alias=False)
class OffPeakGuidance:
    pass


@from_model.type(model=guidance.SitingCommunity, all_fields=True)
class SitingCommunity:
    pass


@from_model.type(model=guidance.SitingInsight, all_fields=True, use_pydantic_alias=False)
class SitingInsight:
    pass


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
    pass
