"""SQL for webhook endpoints and their deliveries. Reads for callers start from the caller's
area; the dispatcher's statements are the hub's own and see every endpoint."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth import visibility
from app.auth.principal import Principal
from app.core.db import execute, upsert_insert
from app.jurisdictions import repository as jurisdictions_repository
from app.models import ChangeEvent, WebhookDelivery, WebhookEndpoint

_DELIVERY = WebhookDelivery.__table__  # type: ignore[attr-defined]


def _visible(principal: Principal, kind: str) -> Any:
    return select(WebhookEndpoint).where(
        WebhookEndpoint.kind == kind,
        visibility.visible_to(principal, col(WebhookEndpoint.area_path)),
    )


async def get_visible(
    session: AsyncSession, principal: Principal, endpoint_id: int, kind: str
) -> WebhookEndpoint | None:
    result = await session.exec(_visible(principal, kind).where(WebhookEndpoint.id == endpoint_id))
    endpoint: WebhookEndpoint | None = result.first()
    return endpoint


async def list_visible(
    session: AsyncSession, principal: Principal, kind: str, *, after_id: int | None, limit: int
) -> Sequence[WebhookEndpoint]:
    statement = _visible(principal, kind)
    if after_id is not None:
        statement = statement.where(col(WebhookEndpoint.id) > after_id)
    result = await session.exec(statement.order_by(col(WebhookEndpoint.id)).limit(limit))
    endpoints: Sequence[WebhookEndpoint] = result.all()
    return endpoints


async def save(session: AsyncSession, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    session.add(endpoint)
    await session.flush()
    return endpoint


async def delete(session: AsyncSession, endpoint: WebhookEndpoint) -> None:
    await execute(session, _DELIVERY.delete().where(_DELIVERY.c.endpoint_id == endpoint.id))
    await session.delete(endpoint)
    await session.flush()


async def enabled_endpoints(session: AsyncSession) -> Sequence[WebhookEndpoint]:
    result = await session.exec(
        select(WebhookEndpoint)
        .where(col(WebhookEndpoint.enabled))
        .order_by(col(WebhookEndpoint.id))
    )
    return result.all()


async def events_by_id(session: AsyncSession, ids: Iterable[int]) -> dict[int, ChangeEvent]:
    result = await session.exec(select(ChangeEvent).where(col(ChangeEvent.id).in_(set(ids))))
    return {event.id: event for event in result.all() if event.id is not None}


async def events_between(
    session: AsyncSession, area_path: str, since: datetime, until: datetime, up_to_id: int
) -> Sequence[ChangeEvent]:
    """Events of the area with since <= occurred_at < until and id <= up_to_id."""
    result = await session.exec(
        select(ChangeEvent).where(
            col(ChangeEvent.id) <= up_to_id,
            col(ChangeEvent.occurred_at) >= since, col(ChangeEvent.occurred_at) < until,
            visibility.within(col(ChangeEvent.area_path), area_path),
        ).order_by(col(ChangeEvent.id))
    )  # fmt: skip
    return result.all()


async def add_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert deliveries; one that exists (a rescan after a crash) is left as it is."""
    if rows:
        statement = upsert_insert(session, _DELIVERY).on_conflict_do_nothing(
            index_elements=["endpoint_id", "event_id"]
        )
        await execute(session, statement, rows)


async def requeue(session: AsyncSession, rows: list[dict[str, Any]], now: datetime) -> None:
    """Queue deliveries again from scratch (replay), creating those that never existed."""
    if rows:
        statement = upsert_insert(session, _DELIVERY)
        statement = statement.on_conflict_do_update(
            index_elements=["endpoint_id", "event_id"],
            set_={"state": "pending", "attempts": 0, "next_attempt_at": now,
                  "last_error": None, "last_status": None, "delivered_at": None},
        )  # fmt: skip
        await execute(session, statement, rows)


async def set_cursor(session: AsyncSession, endpoint_ids: Iterable[int], cursor: int) -> None:
    ids = list(endpoint_ids)
    if ids:
        await execute(
            session,
            update(WebhookEndpoint)
            .where(col(WebhookEndpoint.id).in_(ids), col(WebhookEndpoint.cursor) < cursor)
            .values(cursor=cursor),
        )


async def due(
    session: AsyncSession, endpoint_id: int, now: datetime, limit: int
) -> Sequence[WebhookDelivery]:
    """An endpoint's pending deliveries that are due, oldest event first."""
    result = await session.exec(
        select(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.state == "pending",
            col(WebhookDelivery.next_attempt_at) <= now,
        )
        .order_by(col(WebhookDelivery.event_id))
        .limit(limit)
    )
    return result.all()


async def first_pending(
    session: AsyncSession, endpoint_id: int, subjects: Iterable[str]
) -> dict[str, int]:
    """The oldest pending event id of each subject (due or not, leased included)."""
    result = await session.exec(
        select(WebhookDelivery.subject, func.min(WebhookDelivery.event_id))
        .where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.state == "pending",
            col(WebhookDelivery.subject).in_(set(subjects)),
        )
        .group_by(col(WebhookDelivery.subject))
    )
    return dict(result.all())


async def due_endpoint_ids(session: AsyncSession, now: datetime) -> set[int]:
    result = await session.exec(
        select(WebhookDelivery.endpoint_id)
        .where(WebhookDelivery.state == "pending", col(WebhookDelivery.next_attempt_at) <= now)
        .distinct()
    )
    return set(result.all())


async def pending_count(session: AsyncSession) -> int:
    result = await session.exec(
        select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.state == "pending")
    )
    return result.one()


async def lease(session: AsyncSession, delivery_ids: list[int], until: datetime) -> None:
    """Claim deliveries for a send: a crash mid-send leaves them due again at `until`."""
    if delivery_ids:
        await execute(
            session,
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(delivery_ids))
            .values(next_attempt_at=until),
        )


async def record(session: AsyncSession, delivery_ids: list[int], values: dict[str, Any]) -> None:
    if delivery_ids:
        await execute(
            session,
            update(WebhookDelivery)
            .where(col(WebhookDelivery.id).in_(delivery_ids))
            .values(**values),
        )


async def set_endpoint(session: AsyncSession, endpoint_id: int, values: dict[str, Any]) -> None:
    await execute(
        session,
        update(WebhookEndpoint).where(col(WebhookEndpoint.id) == endpoint_id).values(**values),
    )


async def deliveries_page(
    session: AsyncSession, endpoint_id: int, *, state: str | None, after_id: int | None, limit: int
) -> Sequence[WebhookDelivery]:
    statement = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if state is not None:
        statement = statement.where(WebhookDelivery.state == state)
    if after_id is not None:
        statement = statement.where(col(WebhookDelivery.id) > after_id)
    result = await session.exec(statement.order_by(col(WebhookDelivery.id)).limit(limit))
    return result.all()


async def community_names(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    rows = await jurisdictions_repository.list_by_codes(session, sorted(set(codes)))
    return {row.code: row.name for row in rows}
