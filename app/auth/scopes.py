"""Scopes (verbs) and what each tier may hold. Pure data, no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Tier(StrEnum):
    CITY = "city"
    DISTRICT = "district"
    STREET = "street"
    VENDOR = "vendor"


class Scope(StrEnum):
    REGISTRY_READ = "registry:read"
    STATUS_READ = "status:read"
    ENERGY_READ = "energy:read"
    SESSIONS_READ = "sessions:read"
    ALERTS_READ = "alerts:read"
    ALERTS_WRITE = "alerts:write"
    WEBHOOKS_MANAGE = "webhooks:manage"
    AUDIT_READ = "audit:read"
    CLIENTS_MANAGE = "clients:manage"
    # Onboarding operator platforms and reading the ingest quarantine: the city's hub staff.
    OPERATORS_MANAGE = "operators:manage"


_READS = {Scope.REGISTRY_READ, Scope.STATUS_READ, Scope.ENERGY_READ, Scope.SESSIONS_READ}
_STAFF = _READS | {Scope.ALERTS_READ, Scope.ALERTS_WRITE, Scope.WEBHOOKS_MANAGE}

# What a client of each tier holds unless registered with fewer; never more. Vendors read
# areas, analytics by community or coarser and pseudonymised sessions, and manage nothing:
# no status:read, whose every answer is per pile or connector with real ids and exact times.
# Within their scopes app/auth/vendors.py lists what they may reach (their data contract).
TIER_SCOPES: dict[Tier, frozenset[Scope]] = {
    Tier.CITY: frozenset(Scope),
    Tier.DISTRICT: frozenset(_STAFF | {Scope.AUDIT_READ}),
    Tier.STREET: frozenset(_STAFF),
    Tier.VENDOR: frozenset(_READS - {Scope.STATUS_READ}),
}


def parse_scopes(text: str | None) -> set[str]:
    return set((text or "").split())


def format_scopes(scopes: Iterable[str]) -> str:
    return " ".join(sorted(scopes))
