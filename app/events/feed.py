"""Each API process follows the change log once and fans it out to its SSE subscribers.

One reader per process fetches new events (id order) into a bounded in-memory window and
wakes the subscribers, who filter it by area; a subscriber resuming from further back reads
the table itself. On PostgreSQL a NOTIFY from the writing transaction wakes the reader at
once (only a hint: it carries nothing), as does a commit in this same process; polling every
`poll_interval` is the fallback for other processes on SQLite.

Ids are assigned at insert but transactions commit in any order on PostgreSQL, so the log
can briefly show id 101 before 100. The reader delivers only up to the first gap, and waits
up to `gap_timeout` for it to fill before treating it as a rolled-back id. Subscribers
therefore get every event exactly once, in id order.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from sqlalchemy.engine import make_url

from app.changelog import repository
from app.core.db import Database
from app.core.parts import ProcessPart
from app.models import ChangeEvent

log = structlog.get_logger(__name__)
_BATCH = 1000


@dataclass(frozen=True, slots=True)
class FeedEvent:
    id: int
    kind: str
    area_path: str
    occurred_at: float  # epoch seconds, for the delivery-latency histogram
    data: dict[str, Any]

    @classmethod
    def of(cls, row: ChangeEvent) -> FeedEvent:
        assert row.id is not None
        data = {"id": row.id, "kind": row.kind, "occurred_at": row.occurred_at.isoformat(),
                "subject": row.subject, "payload": row.payload}  # fmt: skip
        return cls(row.id, row.kind, row.area_path, row.occurred_at.timestamp(), data)


class EventFeed:
    def __init__(
        self,
        database: Database,
        *,
        poll_interval: float = 0.25,
        gap_timeout: float = 2.0,
        window: int = 20_000,
    ) -> None:
        self._database, self._poll, self._gap_timeout = database, poll_interval, gap_timeout
        self._window: deque[FeedEvent] = deque(maxlen=window)
        self._delivered = -1  # highest id delivered (contiguously); -1 until first read
        self._gap_since: float | None = None
        self._moved = asyncio.Event()
        self._wake = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._signalled = 0.0  # monotonic time of the last wake-up of the waiters
        self._subscribers = 0
        # A commit in this process that wrote events wakes the reader at once (all there is
        # on SQLite with one process, the embedded default; NOTIFY covers the others).
        database.on_log_commit(self._wake.set)

    @contextlib.asynccontextmanager
    async def subscription(self) -> AsyncIterator[None]:
        self._subscribers += 1
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read())
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.create_task(self._tick())
        try:
            await self._ready()
            yield
        finally:
            self._subscribers -= 1

    async def _ready(self) -> None:
        while self._delivered < 0:
            await self._moved.wait()

    @property
    def delivered(self) -> int:
        return self._delivered

    async def events_after(
        self, after_id: int, area_path: str, limit: int
    ) -> tuple[list[FeedEvent], int]:
        """Delivered events after `after_id` in the area's subtree, oldest first, and the
        watermark they were read up to (a caller with fewer than `limit` is at it)."""
        upto = self._delivered
        if after_id >= upto:
            return [], upto
        if self._window and after_id >= self._window[0].id - 1:
            # From the newest back: a subscriber that keeps up only looks at what is new.
            found: list[FeedEvent] = []
            for event in reversed(self._window):
                if event.id <= after_id:
                    break
                if event.id <= upto and event.area_path.startswith(area_path):
                    found.append(event)
            found.reverse()
            return found[:limit], upto
        async with self._database.session() as session:  # resuming from before the window
            rows = await repository.after(session, after_id, area_path=area_path, limit=limit)
        return [FeedEvent.of(row) for row in rows if row.id is not None and row.id <= upto], upto

    async def wait(self, after_id: int, seconds: float) -> None:
        """Return when events after `after_id` were delivered, or once `seconds` have passed
        (noticed at the next tick: within three poll intervals)."""
        deadline = time.monotonic() + seconds
        while self._delivered <= after_id and time.monotonic() < deadline:
            await self._moved.wait()

    async def _tick(self) -> None:
        # Waiters wake on every move of the feed, and from here when it was quiet for two
        # poll intervals: one timer for all of them (each of 1,000 subscribers arming and
        # cancelling a timer of its own for every commit cost more than sending it the
        # commit's events). A waiter's deadline is thus kept within three poll intervals.
        while self._subscribers > 0:
            await asyncio.sleep(self._poll)
            if time.monotonic() - self._signalled >= 2 * self._poll:
                self._signal()

    async def _read(self) -> None:
        listener = await listen(self._database, self._wake.set, what="the event feed")
        try:
            while self._subscribers > 0:
                self._wake.clear()  # before reading: a wake-up during the read is kept
                try:
                    await self._fetch()
                except Exception:  # a database hiccup must not end every stream
                    log.exception("event feed read failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll)
        finally:
            if listener is not None:
                await listener.close()

    async def _fetch(self) -> None:
        before = self._delivered
        async with self._database.session() as session:
            if self._delivered < 0:  # start from now: subscribers resume by id themselves
                self._delivered = await repository.latest_id(session)
                self._signal()
                return
            rows = await repository.after(session, self._delivered, area_path=None, limit=_BATCH)
        for row in rows:
            assert row.id is not None
            if row.id != self._delivered + 1:
                # A gap: an earlier id may still commit. Wait for it, but not forever: a
                # rolled-back transaction leaves a gap for good.
                if self._gap_since is None:
                    self._gap_since = time.monotonic()
                if time.monotonic() - self._gap_since <= self._gap_timeout:
                    break
            self._gap_since = None
            self._window.append(FeedEvent.of(row))
            self._delivered = row.id
        if self._delivered != before:  # a read that found nothing wakes nobody
            self._signal()

    def _signal(self) -> None:
        self._signalled = time.monotonic()
        self._moved.set()
        self._moved = asyncio.Event()


async def listen(
    database: Database, wake: Callable[[], None], *, what: str
) -> asyncpg.Connection | None:
    """LISTEN on PostgreSQL: each NOTIFY of the change log calls `wake` at once. Returns the
    connection (close it when done), or None on SQLite or when LISTEN is unavailable."""
    if database.is_sqlite:
        return None
    url = make_url(database.url).set(drivername="postgresql")
    try:
        connection = await asyncpg.connect(url.render_as_string(hide_password=False))
        await connection.add_listener(repository.CHANNEL, lambda *_: wake())
    except (OSError, asyncpg.PostgresError):
        log.warning("LISTEN unavailable; polling instead", reader=what)
        return None
    return connection


# The change log, followed once per process for server-sent events.
EVENT_FEED: ProcessPart[EventFeed] = ProcessPart("event_feed")
