"""Who is asking: the caller's client, tier, area and scopes. Visibility is derived from the
area path only (every repository query starts from `visible_to(principal)`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.auth.scopes import Scope, Tier

__all__ = ["Principal", "Tier", "city_principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str  # the OAuth2 client_id
    tier: Tier
    area_code: str
    # Materialised path of the area ("310000/310105/"), see app.models.Jurisdiction.path.
    area_path: str
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_vendor(self) -> bool:
        return self.tier is Tier.VENDOR


def city_principal(city_code: str) -> Principal:
    """The whole city with every scope: for the hub's own jobs (demo, seeding), never a caller."""
    return Principal(
        subject="pilehub",
        tier=Tier.CITY,
        area_code=city_code,
        area_path=f"{city_code}/",
        scopes=frozenset(Scope),
    )
