"""How vendors see sessions (pure; keyed HMAC, no I/O): stable per-vendor pseudonyms for
registry ids, and times in quarter hours.

A vendor sees the same pseudonym for the same connector in every answer, so it can count and
correlate, but two vendors cannot join their data on it, and none can map it back to the
operator's ConnectorID without the hub's secret key. Nothing else a vendor may read carries a
real pile or connector id (app/auth/vendors.py); times are cut to the quarter hour as well,
so a session's exact start and end cannot be matched against what someone watched at a pile.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

# Whole quarters in UTC are whole quarters in Asia/Shanghai (+08:00) too.
TIME_STEP = timedelta(minutes=15)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def pseudonym(secret_key: str, client_id: str, kind: str, value: int) -> str:
    message = f"{client_id}\x1f{kind}\x1f{value}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()
    return f"{kind[0]}_{digest[:20]}"


def quarter_of(moment: datetime) -> datetime:
    """The start of the quarter hour `moment` lies in (UTC)."""
    moment = moment.astimezone(UTC)
    return moment - (moment - _EPOCH) % TIME_STEP


def next_quarter(moment: datetime) -> datetime:
    """`moment` itself on a quarter hour, else the next quarter hour: a vendor's bound on
    start times that a session's shown (quarter) start meets exactly when its real one does."""
    start = quarter_of(moment)
    return start if start == moment else start + TIME_STEP
