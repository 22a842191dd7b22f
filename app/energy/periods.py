"""Cutting time at local midnights and time-of-use edges, and a session's share of each piece.

Pure functions (no I/O): the rollup maintenance and the property test's recomputation call the
same `contribution`, so "rollups equal a recomputation from sessions" is a statement about
the SQL bookkeeping, not about two implementations agreeing by luck.

A session contributes to (local day, period) pieces:

* its interval [start, end) is cut at every local midnight (Asia/Shanghai) and every period
  start in between;
* its energy is shared out over the pieces in proportion to its ChargeDetails (each detail's
  energy spread over the pieces it overlaps by time), or by time where it has none (the car
  draws constant power), in whole Wh by largest remainder, so the pieces add up to the
  session's `energy_wh` exactly;
* its charging time is the whole seconds of each piece;
* it counts as one session in the piece where it starts.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.core.time import LOCAL_TZ

PieceKey = tuple[date, str]
"""(local day, time-of-use period name)."""

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class TimeOfUse:
    """Periods by local start time; each runs until the next one starts (wrapping at 24 h)."""

    starts: tuple[tuple[time, str], ...]

    @classmethod
    def of(cls, windows: Iterable[tuple[time, str]]) -> TimeOfUse:
        ordered = tuple(sorted(windows))
        if not ordered:
            raise ValueError("at least one time-of-use period is needed")
        return cls(ordered)

    @property
    def names(self) -> list[str]:
        return sorted({name for _, name in self.starts})

    def period_at(self, moment: datetime) -> str:
        clock = moment.astimezone(LOCAL_TZ).time().replace(tzinfo=None)
        current = self.starts[-1][1]  # before the day's first start, the last period runs on
        for start, name in self.starts:
            if start <= clock:
                current = name
        return current


@dataclass(frozen=True, slots=True)
class Piece:
    start: datetime
    end: datetime
    key: PieceKey


@functools.lru_cache(maxsize=4096)
def _day_marks(tou: TimeOfUse, day: date) -> tuple[tuple[datetime, PieceKey], ...]:
    """The day's local midnight and period starts, in UTC and in order, each with the key of
    the piece it begins. Cached: ingest cuts thousands of sessions on the same few days, and
    building aware local datetimes was most of the cost of a contribution."""
    marks = {
        edge.astimezone(UTC): (day, tou.period_at(edge))
        for clock in (time(0, 0), *(s for s, _ in tou.starts))
        for edge in (datetime.combine(day, clock, tzinfo=LOCAL_TZ),)
    }
    return tuple(sorted(marks.items()))


def pieces(start: datetime, end: datetime, tou: TimeOfUse) -> list[Piece]:
    """[start, end) cut at local midnights and period starts; one piece for an instant."""
    day = start.astimezone(LOCAL_TZ).date()
    marks = _day_marks(tou, day)
    # The first piece's key is that of the last mark at or before the start (the day's
    # midnight is the first mark): the same as `key_at`, from the cached marks.
    key = marks[0][1]
    for edge, edge_key in marks:
        if edge > start:
            break
        key = edge_key
    if end <= start:
        return [Piece(start, start, key)]
    cut: list[Piece] = []
    piece_start, last = start, end.astimezone(LOCAL_TZ).date()
    while True:
        for edge, edge_key in marks:
            if start < edge < end:
                cut.append(Piece(piece_start, edge, key))
                piece_start, key = edge, edge_key
        if day >= last:
            break
        day += timedelta(days=1)
        marks = _day_marks(tou, day)
    cut.append(Piece(piece_start, end, key))
    return cut


def key_at(moment: datetime, tou: TimeOfUse) -> PieceKey:
    return moment.astimezone(LOCAL_TZ).date(), tou.period_at(moment)


@dataclass(frozen=True, slots=True)
class Share:
    energy_wh: int = 0
    charging_seconds: int = 0
    sessions: int = 0

    def __add__(self, other: Share) -> Share:
        return Share(
            self.energy_wh + other.energy_wh,
            self.charging_seconds + other.charging_seconds,
            self.sessions + other.sessions,
        )

    def __neg__(self) -> Share:
        return Share(-self.energy_wh, -self.charging_seconds, -self.sessions)

    @property
    def is_zero(self) -> bool:
        return not (self.energy_wh or self.charging_seconds or self.sessions)


@dataclass(frozen=True, slots=True)
class _Detail:
    start: datetime
    end: datetime
    energy_wh: int


def contribution(
    *,
    start_at: datetime,
    end_at: datetime,
    energy_wh: int,
    details: Sequence[Mapping[str, Any]],
    tou: TimeOfUse,
) -> dict[PieceKey, Share]:
    """What one session adds to each (local day, period) of its connector."""
    cut = pieces(start_at, end_at, tou)
    if len(cut) == 1:  # most sessions: all of it in one piece, whatever the details say
        seconds = int((cut[0].end - cut[0].start).total_seconds())
        return {cut[0].key: Share(energy_wh, seconds, 1)}
    weights = _detail_weights(cut, _parse(details)) if details else []
    if sum(weights) <= 0:
        weights = [(p.end - p.start) // _MICROSECOND for p in cut]
    if sum(weights) <= 0:  # an instant: everything in its one piece
        weights = [1] * len(cut)
    energies = largest_remainder(energy_wh, weights)
    # Summed in lists, one Share per key at the end: this runs for every session written.
    sums: dict[PieceKey, list[int]] = {}
    for piece, energy in zip(cut, energies, strict=True):
        seconds = int((piece.end - piece.start).total_seconds())
        figures = sums.setdefault(piece.key, [0, 0, 0])
        figures[0] += energy
        figures[1] += seconds
    sums[cut[0].key][2] += 1  # the first piece is where the session starts
    return {key: Share(*figures) for key, figures in sums.items()}


def _parse(details: Sequence[Mapping[str, Any]]) -> list[_Detail]:
    return [
        _Detail(
            datetime.fromisoformat(str(d["start"])),
            datetime.fromisoformat(str(d["end"])),
            int(d.get("energy_wh") or 0),
        )
        for d in details
    ]


def _detail_weights(cut: Sequence[Piece], details: Sequence[_Detail]) -> list[int]:
    """Each piece's energy by the details: a detail's energy spread by time over the pieces
    it overlaps (an instantaneous detail lands in the piece that holds its instant).

    Integers scaled by the common multiple of the details' lengths (in µs), so the split is
    exact without fractions: weight = Σ energy × overlap × (scale / length)."""
    lengths = [max(1, (d.end - d.start) // _MICROSECOND) for d in details]
    scale = math.lcm(*lengths)
    weights = [0] * len(cut)
    for detail, length in zip(details, lengths, strict=True):
        if detail.energy_wh <= 0:
            continue
        if detail.end <= detail.start:
            weights[_holding(cut, detail.start)] += detail.energy_wh * scale
            continue
        for index, piece in enumerate(cut):
            overlap = min(piece.end, detail.end) - max(piece.start, detail.start)
            if overlap > timedelta(0):
                weights[index] += detail.energy_wh * (overlap // _MICROSECOND) * (scale // length)
    return weights


def _holding(cut: Sequence[Piece], moment: datetime) -> int:
    for index, piece in enumerate(cut):
        if piece.start <= moment < piece.end:
            return index
    return len(cut) - 1 if moment >= cut[-1].end else 0


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """`total` (≥ 0) split in proportion to `weights` (≥ 0, not all 0) in whole units,
    summing exactly; the largest remainders get the leftover units, ties the earlier item."""
    weight_sum = sum(weights)
    shares = [total * w // weight_sum for w in weights]
    if len(weights) == 1:
        return shares
    remainders = [total * w % weight_sum for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


ShareSums = dict[Any, list[int]]
"""Figures summed per key in place ([energy_wh, charging_seconds, sessions]); `shares_of`
turns them into one Share per key. Cheaper than adding Share objects: rollup maintenance
sums several keys for every session written."""


def add_share(sums: ShareSums, key: Any, share: Share, sign: int = 1) -> None:
    """Add `share` (negated when `sign` is -1) to the figures under `key`."""
    figures = sums.get(key)
    if figures is None:
        figures = sums[key] = [0, 0, 0]
    figures[0] += sign * share.energy_wh
    figures[1] += sign * share.charging_seconds
    figures[2] += sign * share.sessions


def shares_of(sums: ShareSums) -> dict[Any, Share]:
    return {key: Share(*figures) for key, figures in sums.items()}
