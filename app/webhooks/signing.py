"""Standard Webhooks signing with the reference `standardwebhooks` library.

Secrets are `whsec_` + base64 of 32 random bytes (the spec asks 24 to 64). While a rotated-out
secret is still inside its overlap window both sign, so `webhook-signature` carries two
space-separated `v1,` entries and receivers switch secrets without a failed delivery.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime

from standardwebhooks import Webhook

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def message_id(event_id: int) -> str:
    """The `webhook-id` of an event: the same on every retry and replay (receivers dedupe on
    it). No `.`: the id is part of the signed `id.timestamp.body` string."""
    return f"evt_{event_id}"


def headers(
    secrets_: Sequence[str], *, msg_id: str, timestamp: datetime, body: str
) -> dict[str, str]:
    signatures = " ".join(
        Webhook(secret).sign(msg_id=msg_id, timestamp=timestamp, data=body) for secret in secrets_
    )
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signatures,
    }
