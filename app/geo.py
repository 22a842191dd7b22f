"""GCJ-02 (the obfuscated datum Chinese maps and T/CEC 102 use) to WGS84 (GeoJSON, RFC 7946).

The forward transform is the published GCJ-02 formula (Krasovsky 1940 ellipsoid, a =
6378245 m, ee = 0.00669342162296594323); the inverse has no closed form and is found by
fixed-point iteration to below 1e-7 degrees (about 1 cm). Outside China's bounding box
GCJ-02 equals WGS84; like the published formula, the box also covers some neighbours
(Seoul, Hanoi), which T/CEC data never contains.
"""

from __future__ import annotations

import math

_A = 6378245.0
_EE = 0.00669342162296594323


def _outside_china(lng: float, lat: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta_lat(x: float, y: float) -> float:
    value = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    value += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    value += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    value += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return value


def _delta_lng(x: float, y: float) -> float:
    value = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    value += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    value += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    value += (
        (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    )
    return value


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if _outside_china(lng, lat):
        return lng, lat
    d_lat = _delta_lat(lng - 105.0, lat - 35.0)
    d_lng = _delta_lng(lng - 105.0, lat - 35.0)
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return lng + d_lng, lat + d_lat


def gcj02_to_wgs84(lng: float, lat: float, *, tolerance: float = 1e-9) -> tuple[float, float]:
    if _outside_china(lng, lat):
        return lng, lat
    guess_lng, guess_lat = lng, lat
    for _ in range(30):
        fwd_lng, fwd_lat = wgs84_to_gcj02(guess_lng, guess_lat)
        err_lng, err_lat = fwd_lng - lng, fwd_lat - lat
        guess_lng, guess_lat = guess_lng - err_lng, guess_lat - err_lat
        if abs(err_lng) < tolerance and abs(err_lat) < tolerance:
            break
    return guess_lng, guess_lat
