"""Which change_event kinds (`app.changelog.kinds`) a subscription may name, and how patterns
match. Pure data.

A pattern is a kind (`pile.colour`) or a family (`alert.*`). Alerts need `alerts:read` and
sessions `sessions:read`, as for the same events on the SSE stream.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.auth.scopes import Scope
from app.changelog.kinds import FAMILIES, Kind

__all__ = ["FAMILIES", "KINDS", "ROBOT_DEFAULT", "matches", "scopes_needed", "unknown"]

# As plain text, as a subscription names them (and an error message lists them).
KINDS = frozenset(kind.value for kind in Kind)
_NEEDS = {"alert": Scope.ALERTS_READ, "session": Scope.SESSIONS_READ}
# What a robot posts by default (`ChannelCreate.alert_kinds`): alerts opening or getting worse.
ROBOT_DEFAULT = tuple(
    k.value for k in (Kind.ALERT_OPENED, Kind.ALERT_ESCALATED, Kind.ALERT_REOPENED)
)


def unknown(patterns: Iterable[str]) -> list[str]:
    """The patterns that name no kind or family."""
    return [
        p for p in patterns
        if p not in KINDS and not (p.endswith(".*") and p[:-2] in FAMILIES)
    ]  # fmt: skip


def scopes_needed(patterns: Iterable[str]) -> set[str]:
    return {str(_NEEDS[p.split(".", 1)[0]]) for p in patterns if p.split(".", 1)[0] in _NEEDS}


def matches(patterns: Iterable[str], kind: str) -> bool:
    return any(kind == p or (p.endswith(".*") and kind.startswith(p[:-1])) for p in patterns)
