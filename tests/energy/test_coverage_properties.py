"""Property: for any status history and any range (reaching into the future, or before the
first report), uptime's observed + unknown hours are the range's hours up to now, the status
classes add up to them, and nothing after now is ever counted; a range wholly after now is
refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.auth.principal import Principal, city_principal
from app.core.config import ColourRules, EnergySettings
from app.core.db import Database
from app.core.time import LOCAL_TZ
from app.energy.errors import RangeInFuture
from app.uptime import service
from app.uptime.schemas import UptimeReport
from tests.energy.helpers import report_statuses
from tests.fixtures.factories import create_pile

pytestmark = pytest.mark.asyncio

T0 = datetime(2026, 11, 10, tzinfo=LOCAL_TZ)  # local midnight
CODES = [0, 1, 2, 3, 4, 255]
ROUNDING = 0.002  # hours are rounded to 3 decimals, per class

# (minutes after T0 − 3 days, T/CEC code): changes over nine days around the ranges.
history_strategy = st.lists(
    st.tuples(st.integers(min_value=0, max_value=9 * 1440), st.sampled_from(CODES)),
    max_size=8,
)


def _caller() -> Principal:
    return city_principal("310000")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    histories=st.lists(history_strategy, min_size=1, max_size=2),
    first=st.integers(min_value=-5, max_value=6),
    days=st.integers(min_value=1, max_value=4),
    now_minutes=st.integers(min_value=-2 * 1440, max_value=8 * 1440),
)
async def test_observed_and_unknown_hours_are_the_range_up_to_now(
    database: Database,
    histories: list[list[tuple[int, int]]],
    first: int,
    days: int,
    now_minutes: int,
) -> None:
    async with database.session(write=True) as session:
        connectors = await create_pile(session, connectors=len(histories))
    origin = T0 - timedelta(days=3)
    for connector_id, changes in zip(connectors, histories, strict=True):
        if changes:  # distinct operator times: one report per moment
            moments = {origin + timedelta(minutes=m): code for m, code in changes}
            await report_statuses(database, connector_id, sorted(moments.items()))
    start = T0 + timedelta(days=first)
    end = start + timedelta(days=days)
    now = T0 + timedelta(minutes=now_minutes)
    async with database.session() as session:

        async def uptime() -> UptimeReport:
            return await service.uptime_report(
                session, _caller(), area="310105011", first=start.date(),
                last=end.date() - timedelta(days=1), settings=EnergySettings(),
                offline_grace=ColourRules().offline_grace, now=now,
            )  # fmt: skip

        if start > now:
            with pytest.raises(RangeInFuture):
                await uptime()
            return
        report = await uptime()
    up_to_now = (min(end, now) - start).total_seconds() / 3600
    assert report.until == min(end, now)
    ours = [c for c in report.connectors if c.connector_id in connectors]
    assert len(ours) == len(connectors)
    for connector, reports in zip(ours, histories, strict=True):
        classes = connector.hours.model_dump().values()
        assert connector.range_hours == pytest.approx(up_to_now, abs=ROUNDING)
        assert connector.observed_hours + connector.unknown_hours == pytest.approx(
            up_to_now, abs=ROUNDING
        )
        assert sum(classes) == pytest.approx(up_to_now, abs=5 * ROUNDING)
        # Unknown is exactly the time before the first report (the future is not in it).
        reported = [origin + timedelta(minutes=m) for m, _ in reports]
        first_report = min(reported, default=None)
        unseen_until = (
            min(end, now) if first_report is None else min(max(first_report, start), end, now)
        )
        assert connector.unknown_hours == pytest.approx(
            (unseen_until - start).total_seconds() / 3600, abs=ROUNDING
        )
        if connector.reason is not None:  # too little seen: no figure, and never a pass
            assert connector.uptime is None
            assert connector.meets_uk_target is None
        else:
            assert connector.coverage is not None
            assert connector.coverage >= 0.5
