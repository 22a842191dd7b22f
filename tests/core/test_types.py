"""UTCDateTime's SQLite text: the format SQLAlchemy's SQLite dialect stores, whatever the
offset of the datetime given, and read back as the same instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from app.core.columns import SQLITE_DATETIME_FORMAT, _from_sqlite_text, to_sqlite_text
from app.core.time import as_utc

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.datetimes(
    min_value=datetime(1001, 1, 1), max_value=datetime(9998, 12, 31), timezones=offsets
)


@given(moments)
def test_the_text_is_the_sqlite_format_of_the_utc_instant(moment: datetime) -> None:
    assert to_sqlite_text(moment) == as_utc(moment).strftime(SQLITE_DATETIME_FORMAT)


@given(moments)
def test_the_text_reads_back_as_the_same_instant_in_utc(moment: datetime) -> None:
    back = _from_sqlite_text(to_sqlite_text(moment))
    assert back == moment
    assert back is not None
    assert back.tzinfo is UTC


def test_a_naive_datetime_is_taken_as_utc_and_none_stays_none() -> None:
    assert to_sqlite_text(datetime(2026, 11, 27, 7, 0)) == "2026-11-27 07:00:00.000000"
    assert to_sqlite_text(None) is None
