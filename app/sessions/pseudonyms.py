"""Stable per-vendor pseudonyms for registry ids (pure; keyed HMAC, no I/O).

A vendor sees the same pseudonym for the same connector in every answer, so it can count and
correlate, but two vendors cannot join their data on it, and none can map it back to the
operator's ConnectorID without the hub's secret key.
"""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(secret_key: str, client_id: str, kind: str, value: int) -> str:
    message = f"{client_id}\x1f{kind}\x1f{value}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()
    return f"{kind[0]}_{digest[:20]}"
