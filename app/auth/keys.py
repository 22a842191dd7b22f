"""Access-token signing keys: ES256 (P-256) JWKs with a three-key rotation.

JWKS publishes `next` (so resource servers know it before it signs), `current` (signs) and
`previous` (tokens it signed are still valid until they expire). No I/O here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from joserfc.jwk import ECKey, KeySet

ALGORITHM = "ES256"  # pinned: the only algorithm issued and the only one accepted
PUBLISHED_STATES = ("next", "current", "previous")


def generate_key() -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A new key: (kid, private JWK, public JWK)."""
    kid = secrets.token_urlsafe(12)
    key = ECKey.generate_key(
        "P-256", parameters={"kid": kid, "alg": ALGORITHM, "use": "sig"}, private=True
    )
    return kid, key.as_dict(private=True), key.as_dict(private=False)


@dataclass(frozen=True)
class KeyRing:
    """The signing key and the published keys, as loaded from the database."""

    signing: ECKey | None
    published: list[dict[str, Any]]  # public JWKs, next/current/previous
    verification: KeySet  # the same, imported once

    @classmethod
    def load(
        cls, current_private: dict[str, Any] | None, published: list[dict[str, Any]]
    ) -> KeyRing:
        signing = ECKey.import_key(current_private) if current_private else None
        return cls(signing, published, KeySet([ECKey.import_key(jwk) for jwk in published]))

    @property
    def jwks(self) -> dict[str, Any]:
        return {"keys": self.published}
