"""The pure parts of delivery: kinds, the retry schedule, Retry-After, robot messages and the
robot's budget."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from app.core.config import WebhookSettings
from app.webhooks import kinds, schedule, wecom

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
CAP = timedelta(hours=1)


def test_patterns_name_kinds_or_families_and_alerts_need_their_scope() -> None:
    assert kinds.unknown(["pile.colour", "alert.*", "pile.*", "alerts.*", "alert.", "*"]) == [
        "alerts.*", "alert.", "*"]  # fmt: skip
    assert kinds.matches(["alert.*"], "alert.opened")
    assert not kinds.matches(["alert.*"], "alerts.opened")
    assert not kinds.matches(["pile.colour"], "pile.maintenance")
    assert kinds.scopes_needed(["alert.opened", "session.*", "pile.colour"]) == {
        "alerts:read", "sessions:read"}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("soon", None),
        ("-5", None),
        ("30", timedelta(seconds=30)),
        ("86400", CAP),
        ("Fri, 27 Nov 2026 02:02:00 GMT", timedelta(minutes=2)),
        ("Fri, 27 Nov 2026 01:00:00 GMT", timedelta(0)),
    ],  # fmt: skip
)
def test_retry_after_takes_seconds_or_a_date_and_is_capped(
    value: str | None, expected: timedelta | None
) -> None:
    assert schedule.retry_after(value, now=NOW, cap=CAP) == expected


def test_the_default_schedule_spans_a_day_and_a_short_one_is_refused() -> None:
    settings = WebhookSettings()
    rng = random.Random(1)
    waits = [
        schedule.next_delay(settings.retry_schedule, n, jitter=settings.jitter, rng=rng)
        for n in range(1, len(settings.retry_schedule) + 2)
    ]
    assert waits[-1] is None  # then the dead letter
    assert sum((w for w in waits if w is not None), timedelta(0)) >= timedelta(days=1)
    with pytest.raises(ValueError, match="at least a day"):
        WebhookSettings(retry_schedule=[timedelta(hours=1)] * 24)  # 24 h, but -20% jitter


def _line(n: int, *, name: str = "新泾三村") -> wecom.AlertLine:
    payload = {"community": "310105011001", "equipment_id": f"EQ{n:05d}", "severity": "red",
               "pile_id": n, "opened_at": "2026-11-27T01:00:00+00:00"}  # fmt: skip
    return wecom.AlertLine.of("alert.opened", payload, NOW, names={"310105011001": name},
                              base_url="https://hub.example/")  # fmt: skip


def test_one_alert_is_a_message_and_many_are_digests_that_fit_4096_bytes() -> None:
    body, count = wecom.message([_line(1)])
    content = orjson.loads(body)["markdown"]["content"]
    assert count == 1
    assert "**新泾三村** 充电桩 EQ00001" in content
    assert "红色 red" in content
    assert "2026-11-27 09:00" in content  # Shanghai time
    assert "(https://hub.example/v1/piles/1)" in content
    lines = [_line(n, name="很长的小区名称" * 8) for n in range(60)]
    body, count = wecom.message(lines)
    content = orjson.loads(body)["markdown"]["content"]
    assert 1 < count < 60  # the rest waits for the next message
    assert len(content.encode()) <= wecom.MAX_MARKDOWN_BYTES
    assert f"Alert digest ({count}/60)" in content


def test_errcode_zero_is_the_only_success() -> None:
    assert wecom.errcode(b'{"errcode":0,"errmsg":"ok"}') == 0
    assert wecom.errcode(b'{"errcode":45009,"errmsg":"api freq out of limit"}') == 45009
    assert wecom.errcode(b"<html>ok</html>") is None
    assert wecom.errcode(b'{"errcode":false}') is None


def test_the_budget_allows_20_sends_in_any_minute() -> None:
    sends = [1000.0 + i for i in range(20)]
    recent, allowed_at = wecom.budget(sends, 1030.0, 20)
    assert (len(recent), allowed_at) == (20, 1060.0)  # when the first leaves the window
    recent, allowed_at = wecom.budget(sends, 1060.5, 20)
    assert (len(recent), allowed_at) == (19, 1060.5)
