"""StatusReport checks its fields on construction (it is a plain value, not a pydantic model)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.status.schemas import StatusReport

SHANGHAI = timezone(timedelta(hours=8))
AT = datetime(2026, 11, 3, 20, 0, tzinfo=SHANGHAI)


def test_times_are_kept_in_utc_so_equal_reports_compare_equal() -> None:
    local = StatusReport("MA1234567", "C1", 1, AT, AT)
    utc = StatusReport("MA1234567", "C1", 1, AT.astimezone(UTC), AT.astimezone(UTC))
    assert local.observed_at.tzinfo is UTC
    assert local.received_at is not None
    assert local.received_at.tzinfo is UTC
    assert local == utc
    assert hash(local) == hash(utc)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"observed_at": AT.replace(tzinfo=None)}, "observed_at must be timezone-aware"),
        ({"received_at": AT.replace(tzinfo=None)}, "received_at must be timezone-aware"),
        ({"operator_id": "MA123"}, "operator_id must have 9 characters"),
        ({"connector_id": ""}, "connector_id must have 1 to 26 characters"),
        ({"connector_id": "C" * 27}, "connector_id must have 1 to 26 characters"),
        ({"source": "s" * 33}, "source must have at most 32 characters"),
    ],
)
def test_an_invalid_field_is_refused_by_name(fields: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "operator_id": "MA1234567", "connector_id": "C1", "code": 1, "observed_at": AT,
    } | fields  # fmt: skip
    with pytest.raises(ValueError, match=message):
        StatusReport(**values)  # type: ignore[arg-type]


def test_as_json_is_what_the_quarantine_keeps() -> None:
    report = StatusReport("MA1234567", "C1", 255, AT, None, "tcec:pull")
    assert report.as_json() == {
        "operator_id": "MA1234567", "connector_id": "C1", "code": 255,
        "observed_at": "2026-11-03T12:00:00+00:00", "received_at": None, "source": "tcec:pull",
    }  # fmt: skip
