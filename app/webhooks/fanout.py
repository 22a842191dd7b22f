"""Fan-out, a dispatch pass's first step: new change_event rows become one pending delivery per
endpoint that wants them, and the endpoint cursors move past them in the same transaction.

The log is read after the lowest endpoint cursor, up to the first gap in the ids (as
app/events/feed.py: on PostgreSQL ids commit out of order; a gap is waited for up to
`gap_timeout`, then taken as a rolled-back transaction). An event is either behind a cursor
with its delivery committed, or ahead of it and read again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime

from app.changelog import repository as events_repository
from app.changelog.kinds import Kind
from app.core.config import WebhookSettings
from app.core.db import Database
from app.models import ChangeEvent, WebhookEndpoint
from app.webhooks import kinds, repository

_SCAN = 2000  # change_event rows read per pass


class Fanout:
    def __init__(
        self, database: Database, config: WebhookSettings, clock: Callable[[], datetime]
    ) -> None:
        self._database, self._config, self._clock = database, config, clock
        self._gap: tuple[int, float] | None = None  # the missing id, since (monotonic)

    async def enqueue(self) -> int:
        """Turn new change_event rows into deliveries; returns how many were created."""
        async with self._database.session() as session:
            endpoints = await repository.enabled_endpoints(session)
            if not endpoints or await events_repository.latest_id(session) <= min(
                e.cursor for e in endpoints
            ):
                return 0
        async with self._database.session(write=True) as session:
            endpoints = await repository.enabled_endpoints(session)
            if not endpoints:
                return 0
            start = min(endpoint.cursor for endpoint in endpoints)
            events = self._contiguous(
                start, await events_repository.after(session, start, area_path=None, limit=_SCAN)
            )
            if not events:
                return 0
            now = self._clock()
            max_age = self._config.robot_max_age
            stale_before = now - max_age if max_age is not None else None
            rows = [
                {"endpoint_id": endpoint.id, "event_id": event.id, "subject": event.subject,
                 "state": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now}
                for endpoint in endpoints for event in events
                if wants(endpoint, event, stale_before)
            ]  # fmt: skip
            await repository.add_deliveries(session, rows)
            watermark = events[-1].id
            assert watermark is not None
            await repository.set_cursor(session, [e.id for e in endpoints if e.id], watermark)
        return len(rows)

    def _contiguous(self, start: int, rows: Sequence[ChangeEvent]) -> list[ChangeEvent]:
        """The rows up to the first gap still worth waiting for."""
        taken: list[ChangeEvent] = []
        last = start
        for row in rows:
            assert row.id is not None
            if row.id != last + 1:
                if self._gap is None or self._gap[0] != last + 1:
                    self._gap = (last + 1, time.monotonic())
                if time.monotonic() - self._gap[1] <= self._config.gap_timeout.total_seconds():
                    break
            self._gap = None
            taken.append(row)
            last = row.id
        return taken


def wants(
    endpoint: WebhookEndpoint, event: ChangeEvent, robot_stale_before: datetime | None = None
) -> bool:
    """Whether the endpoint gets a delivery for the event: past its cursor, in its area, of a
    kind it names, and for a robot not older than `robot_max_age` (history arriving late is
    not chat news)."""
    assert event.id is not None
    return (
        event.id > endpoint.cursor
        and event.area_path.startswith(endpoint.area_path)
        and kinds.matches(endpoint.event_kinds, event.kind)
        and not (
            endpoint.kind == "wecom"
            and robot_stale_before is not None
            and change_instant(event) < robot_stale_before
        )
    )


def change_instant(event: ChangeEvent) -> datetime:
    """When the change an event reports happened: its payload's `since` (the operator time of
    the report, or a rule's instant), for an `alert.opened` without one its `opened_at`, else
    when the hub logged it."""
    keys = ("since", "opened_at") if event.kind == Kind.ALERT_OPENED else ("since",)
    for key in keys:
        try:
            instant = datetime.fromisoformat(str(event.payload[key]))
        except (KeyError, ValueError):
            continue
        if instant.tzinfo is not None:
            return instant
    return event.occurred_at
