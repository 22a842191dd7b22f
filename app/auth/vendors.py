"""The analytics vendors' data contract: the only answers a vendor client may get (pure data).

Vendors get session-level data pseudonymised (app/sessions/pseudonyms.py). A pseudonym is
only as good as the rest of what the same client can read: any answer carrying a real pile
or connector id with something to match a session on (a status history, a pile's daily
energy, `connector.status` events, the board's colour times, uptime per connector) links
each pseudonym back to its pile. So a vendor reads areas, answers at community granularity
or coarser, and its pseudonymised sessions, and nothing else: every REST route and GraphQL
field not listed here is refused to vendors (403 `outside-vendor-contract`), including
those added later, until someone lists them here and updates the README's contract.

The two enforcement points are the scope checks every request already passes: the REST
scope guard (app/auth/deps.py) and the GraphQL field permission (app/graphql/permissions.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from app.core.errors import Forbidden

# An allowed entry's rules: parameter -> the values a vendor may pass. A parameter a vendor
# leaves out takes its default, which is never finer than the community.
Rule = Mapping[str, frozenset[str]]

# Grouping of analytics (REST `group_by`, GraphQL `groupBy` by its Python name): a group per
# pile would carry real pile ids and their daily energy or busy hours.
_BY_AREA: Rule = {"group_by": frozenset({"community", "street", "district"})}

# REST routes: method and path template.
ROUTES: Mapping[str, Rule] = {
    "GET /v1/jurisdictions/{code}": {},  # the area tree and colour counts per area
    "GET /v1/sessions": {},  # pseudonymised, times in quarter hours (app/sessions/service.py)
    "GET /v1/energy": _BY_AREA,
    "GET /v1/utilization": _BY_AREA,
    "GET /v1/guidance/off-peak": {},  # per community
    "GET /v1/guidance/siting": {},  # per community
}

# GraphQL fields as "ParentType.field" (GraphQL names). Plain fields of an allowed field's
# type need no entry: only fields with their own resolver are checked.
FIELDS: Mapping[str, Rule] = {
    "Query.area": {},
    "Jurisdiction.children": {},
    "Query.energy": _BY_AREA,
    "EnergyReport.rows": {},
    "EnergyReport.totals": {},
    "Query.utilisation": _BY_AREA,
    "UtilisationReport.rows": {},
    "UtilisationReport.totals": {},
    "Query.offPeakGuidance": {},
    "OffPeakGuidance.communities": {},
    "Recommendation.congested": {},
    "Recommendation.room": {},
    "Recommendation.shifts": {},
    "Query.siting": {},
    "SitingInsight.communities": {},
}


# Each route's template as a pattern of concrete requests ("GET /v1/jurisdictions/310105"):
# the request's own path is what was routed, whatever prefix a router was included under.
_ROUTE_PATTERNS = {
    name: re.compile(re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(name))) for name in ROUTES
}


def route_of(method: str, path: str) -> str:
    """The contract's name of a request (its route's entry) or, unlisted, the request itself."""
    request = f"{method} {path}"
    return next((n for n, p in _ROUTE_PATTERNS.items() if p.fullmatch(request)), request)


class OutsideVendorContract(Forbidden):
    code = "outside-vendor-contract"
    title = "Not in the vendors' data contract"


def refused(
    rules: Mapping[str, Rule], name: str, arguments: Mapping[str, Iterable[str]]
) -> str | None:
    """Why a vendor may not call `name` (a route or a GraphQL field) with these
    arguments (every value given for each parameter), or None when it may."""
    rule = rules.get(name)
    if rule is None:
        return (
            f"{name} is not in the vendors' data contract: areas, analytics by community or "
            "coarser, and pseudonymised sessions."
        )
    for parameter, allowed in rule.items():
        if not set(arguments.get(parameter, ())) <= allowed:
            return f"{name} takes {parameter} = {' | '.join(sorted(allowed))} from vendors."
    return None
