"""The cut of a session into (local day, period) pieces, with and without ChargeDetails."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from app.core.config import EnergySettings, TouWindow
from app.core.time import LOCAL_TZ
from app.energy.periods import Share, TimeOfUse, contribution
from app.energy.service import time_of_use

TOU = time_of_use(EnergySettings())
D1, D2 = date(2026, 11, 1), date(2026, 11, 2)
START = datetime(2026, 11, 1, 21, 0, tzinfo=LOCAL_TZ)
END = START + timedelta(hours=10)  # 07:00 the next morning


def _detail(start: datetime, end: datetime, wh: int) -> dict[str, object]:
    return {"start": start.isoformat(), "end": end.isoformat(), "energy_wh": wh}


def test_without_details_energy_follows_time_across_midnight_and_both_edges() -> None:
    shares = contribution(start_at=START, end_at=END, energy_wh=10_000, details=[], tou=TOU)
    assert shares == {
        (D1, "peak"): Share(1000, 3600, 1),
        (D1, "valley"): Share(2000, 7200, 0),
        (D2, "valley"): Share(6000, 21600, 0),
        (D2, "peak"): Share(1000, 3600, 0),
    }


def test_details_decide_the_split_and_the_total_stays_exact() -> None:
    valley = START + timedelta(hours=1)
    details = [_detail(START, valley, 4000), _detail(valley, END, 6000)]
    shares = contribution(start_at=START, end_at=END, energy_wh=10_000, details=details, tou=TOU)
    assert {key: share.energy_wh for key, share in shares.items()} == {
        (D1, "peak"): 4000,
        (D1, "valley"): 1333,
        (D2, "valley"): 4000,
        (D2, "peak"): 667,  # the largest remainder gets the odd Wh
    }
    # Details that add up to a little less than the order (rounding) are scaled to it.
    shares = contribution(start_at=START, end_at=END, energy_wh=10_050, details=details, tou=TOU)
    assert sum(share.energy_wh for share in shares.values()) == 10_050


def test_an_instant_session_counts_once_where_it_starts() -> None:
    shares = contribution(start_at=END, end_at=END, energy_wh=0, details=[], tou=TOU)
    assert shares == {(D2, "peak"): Share(0, 0, 1)}


def test_periods_are_configuration() -> None:
    three = EnergySettings(
        time_of_use=(
            TouWindow(name="valley", start=time(0, 0)),
            TouWindow(name="flat", start=time(8, 0)),
            TouWindow(name="peak", start=time(18, 0)),
        )
    )
    tou = time_of_use(three)
    shares = contribution(start_at=START, end_at=END, energy_wh=1000, details=[], tou=tou)
    assert {key: share.charging_seconds for key, share in shares.items()} == {
        (D1, "peak"): 3 * 3600,
        (D2, "valley"): 7 * 3600,
    }
    assert tou.period_at(START) == "peak"
    assert TimeOfUse.of([(time(6), "peak")]).period_at(START) == "peak"


@pytest.mark.parametrize(
    "windows",
    [
        [],
        [{"name": "peak", "start": "06:00"}, {"name": "valley", "start": "06:00"}],
        [{"name": "peak", "start": "06:00"}, {"name": "peak", "start": "22:00"}],
        [{"name": "peak", "start": "06:00:30"}, {"name": "valley", "start": "22:00"}],
        [{"name": "day", "start": "06:00"}, {"name": "night", "start": "22:00"}],
    ],
)
def test_bad_period_settings_are_refused(windows: list[dict[str, str]]) -> None:
    with pytest.raises(ValidationError):
        EnergySettings.model_validate({"time_of_use": windows})
