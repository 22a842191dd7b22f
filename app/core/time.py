"""Clock helpers: everything stored is timezone-aware UTC; local time is Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (how SQLite hands them back)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# The API's two kinds of time, as its documentation names them (OpenAPI descriptions, the
# README's "Times"). Answers write instants in UTC; what people read (CSV, robot messages)
# writes them in Asia/Shanghai, with the offset.
INSTANT = "Instant: RFC 3339 date-time with offset (answers give UTC; send any offset)."
LOCAL_DATE = "Local date: an Asia/Shanghai calendar day, YYYY-MM-DD."


def instant(what: str = "") -> str:
    """The description of an instant field or parameter: `what`, then how it is written."""
    return f"{what} {INSTANT}".strip()


def local_date(what: str = "") -> str:
    """The description of a local-date field or parameter."""
    return f"{what} {LOCAL_DATE}".strip()


def local_text(moment: datetime) -> str:
    """An instant as people in the city read it: RFC 3339 in Asia/Shanghai (+08:00)."""
    return as_utc(moment).astimezone(LOCAL_TZ).isoformat()
