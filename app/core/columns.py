"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from app.core.time import as_utc

# How SQLAlchemy's SQLite dialect stores a datetime, always with six digits of microseconds:
# queries compare these strings, so every writer must produce exactly this.
SQLITE_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def to_sqlite_text(value: datetime | None) -> str | None:
    """A datetime as UTCDateTime stores it on SQLite (SQLITE_DATETIME_FORMAT)."""
    # In UTC, isoformat's first 26 characters are that format (before "+00:00"), at half
    # the cost of strftime: every datetime a SQLite hub writes comes through here.
    return None if value is None else as_utc(value).isoformat(" ", "microseconds")[:26]


def _to_utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


# Rows read together share most of their times (a pull's 2,000 current states were all
# observed at the last pull), and datetimes are immutable: each distinct text is parsed once.
@lru_cache(maxsize=4096)
def _from_sqlite_text(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)  # as the SQLite dialect parses it
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _from_aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is UTC:  # asyncpg hands timestamptz back in UTC
        return value
    return as_utc(value)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out.

    PostgreSQL stores ``timestamptz``; SQLite stores text without an offset, so values are
    normalised to UTC before writing and tagged as UTC after reading.

    The processors are one function per value each way, replacing the dialect's processor
    wrapped by TypeDecorator's: a status batch reads and writes thousands of these.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any]:
        return to_sqlite_text if dialect.name == "sqlite" else _to_utc

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[Any], Any]:
        return _from_sqlite_text if dialect.name == "sqlite" else _from_aware

    # The per-value methods TypeDecorator calls outside the processors above (literal
    # rendering): naive UTC for SQLite's own DATETIME processing.
    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = as_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


# A JSON document: JSONB on PostgreSQL (binary, indexable), JSON text on SQLite.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")
