"""app.geo: GCJ-02 <-> WGS84, pure functions."""

from __future__ import annotations

import math

import pytest

from app.geo import gcj02_to_wgs84, wgs84_to_gcj02

MAINLAND_GRID = [(float(lng), float(lat)) for lng in range(75, 136, 5) for lat in range(18, 54, 5)]
SHANGHAI = (121.372, 31.219)  # Beixinjing, WGS84
ABROAD = {
    "tokyo": (139.69, 35.69),
    "london": (-0.1276, 51.5072),
    "new-york": (-74.006, 40.7128),
    "sydney": (151.2093, -33.8688),
    "jakarta": (106.8456, -6.2088),
    "moscow": (37.6173, 55.7558),
    "null-island": (0.0, 0.0),
}


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lng1, lat1, lng2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def test_grid_covers_mainland_china() -> None:
    assert len(MAINLAND_GRID) == 13 * 8
    assert (75.0, 18.0) in MAINLAND_GRID
    assert (135.0, 53.0) in MAINLAND_GRID


@pytest.mark.parametrize(("lng", "lat"), MAINLAND_GRID)
def test_round_trip_wgs84_gcj02_wgs84_is_within_1e_7_degrees(lng: float, lat: float) -> None:
    gcj = wgs84_to_gcj02(lng, lat)
    assert gcj != (lng, lat)
    back_lng, back_lat = gcj02_to_wgs84(*gcj)
    assert abs(back_lng - lng) < 1e-7
    assert abs(back_lat - lat) < 1e-7


@pytest.mark.parametrize(("lng", "lat"), MAINLAND_GRID)
def test_round_trip_gcj02_wgs84_gcj02_is_within_1e_7_degrees(lng: float, lat: float) -> None:
    wgs = gcj02_to_wgs84(lng, lat)
    again_lng, again_lat = wgs84_to_gcj02(*wgs)
    assert abs(again_lng - lng) < 1e-7
    assert abs(again_lat - lat) < 1e-7


@pytest.mark.parametrize(("lng", "lat"), MAINLAND_GRID)
def test_offset_is_under_a_kilometre_everywhere(lng: float, lat: float) -> None:
    assert _metres(wgs84_to_gcj02(lng, lat), (lng, lat)) < 1_000


def test_round_trip_at_fine_steps_around_shanghai() -> None:
    for i in range(-10, 11):
        for j in range(-10, 11):
            lng, lat = SHANGHAI[0] + i * 0.013, SHANGHAI[1] + j * 0.011
            back_lng, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lng, lat))
            assert abs(back_lng - lng) < 1e-7
            assert abs(back_lat - lat) < 1e-7


def test_shanghai_offset_is_between_100_m_and_1_km() -> None:
    gcj = wgs84_to_gcj02(*SHANGHAI)
    offset = _metres(gcj, SHANGHAI)
    assert 100 < offset < 1_000
    # The offset is far bigger than the 6-decimal rounding the API applies.
    assert abs(gcj[0] - SHANGHAI[0]) > 1e-3
    back = gcj02_to_wgs84(*gcj)
    assert _metres(back, SHANGHAI) < 0.05


def test_inverse_moves_the_opposite_way() -> None:
    gcj = wgs84_to_gcj02(*SHANGHAI)
    wgs = gcj02_to_wgs84(*SHANGHAI)
    assert (gcj[0] - SHANGHAI[0]) * (wgs[0] - SHANGHAI[0]) < 0
    assert (gcj[1] - SHANGHAI[1]) * (wgs[1] - SHANGHAI[1]) < 0


@pytest.mark.parametrize(("lng", "lat"), ABROAD.values(), ids=ABROAD.keys())
def test_outside_china_the_transform_is_the_identity(lng: float, lat: float) -> None:
    assert wgs84_to_gcj02(lng, lat) == (lng, lat)
    assert gcj02_to_wgs84(lng, lat) == (lng, lat)


def test_results_are_finite_floats() -> None:
    for lng, lat in MAINLAND_GRID:
        for value in (*wgs84_to_gcj02(lng, lat), *gcj02_to_wgs84(lng, lat)):
            assert isinstance(value, float)
            assert math.isfinite(value)
