"""Charging-session use cases: charge orders from operators become charging sessions.

Orders are idempotent by (operator, StartChargeSeq): an identical re-delivery writes nothing,
a different one is a correction that overwrites the session. A batch costs a fixed number of
statements whatever its size (operators, connectors, stored sessions, upsert, events).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.principal import Principal
from app.changelog import repository as events_repository
from app.changelog.events import event
from app.changelog.kinds import Kind
from app.core.config import get_settings
from app.core.pagination import PageParams, next_cursor
from app.core.time import as_utc, utc_now
from app.energy import service as energy_service
from app.energy.periods import TimeOfUse
from app.jurisdictions import service as jurisdictions_service
from app.piles import repository as piles_repository
from app.sessions import repository
from app.sessions.errors import ChargeOrderRejected
from app.sessions.pseudonyms import next_quarter, pseudonym, quarter_of
from app.sessions.repository import ConnectorInfo, SessionKey
from app.sessions.rules import check_charge_order
from app.sessions.schemas import (
    ChargeDetail,
    ChargeOrderRecord,
    SessionOutcome,
    SessionPage,
    SessionPseudonymous,
    SessionPublic,
    SessionResult,
)

# What makes two deliveries of an order the same; received_at and updated_at are ours.
_CONTENT = (
    "connector_pk",
    "start_at",
    "end_at",
    "energy_wh",
    "elec_money_fen",
    "service_money_fen",
    "total_money_fen",
    "stop_reason",
    "details",
)


@dataclass(frozen=True, slots=True)
class _Accepted:
    """An order that passed every rule, with what the batch resolved for it."""

    key: SessionKey
    connector: ConnectorInfo
    content: dict[str, Any]


async def record_charge_orders(
    session: AsyncSession,
    orders: Sequence[ChargeOrderRecord],
    *,
    now: datetime | None = None,
    tou: TimeOfUse | None = None,
) -> list[SessionResult]:
    """Record a batch of charge orders; one result per order, in order.

    Within a batch, orders for the same key apply in arrival order: a later one is a
    correction of an earlier one. The energy rollups follow in the same transaction.
    """
    now = now or utc_now()
    rejected: dict[int, str] = {}
    accepted = await _accept(session, orders, rejected, now=now)
    keys = {a.key for a in accepted.values()}
    # The rollup delta is computed from the stored row: no concurrent writer of the same
    # order may change it between this read and the upsert.
    await repository.lock_keys(session, keys)
    stored = await repository.stored(session, keys)
    outcomes, rows = _fold(orders, accepted, stored, now=now)
    ids = {key: row.id for key, row in stored.items()}
    ids |= await repository.upsert(session, list(rows.values()))
    await energy_service.follow_sessions(
        session,
        [(stored[key]._mapping if key in stored else None, row) for key, row in rows.items()],
        tou=tou or energy_service.time_of_use(get_settings().energy),
        paths={a.connector.connector_pk: a.connector.area_path for a in accepted.values()},
    )
    await events_repository.insert(
        session,
        [
            _session_event(accepted[index], ids[accepted[index].key], outcome, now=now)
            for index, outcome in sorted(outcomes.items())
            if outcome is not SessionOutcome.DUPLICATE
        ],
    )
    return [
        SessionResult(SessionOutcome.REJECTED, reason=rejected[index])
        if index in rejected
        else SessionResult(outcomes[index], session_id=ids[accepted[index].key])
        for index in range(len(orders))
    ]


def _fold(
    orders: Sequence[ChargeOrderRecord],
    accepted: dict[int, _Accepted],
    stored: dict[SessionKey, Any],
    *,
    now: datetime,
) -> tuple[dict[int, SessionOutcome], dict[SessionKey, dict[str, Any]]]:
    """Each accepted order's outcome, and the one row per key the batch has to write."""
    current: dict[SessionKey, dict[str, Any]] = {
        key: {name: getattr(row, name) for name in _CONTENT} | {"details": row.details or []}
        for key, row in stored.items()
    }
    outcomes: dict[int, SessionOutcome] = {}
    rows: dict[SessionKey, dict[str, Any]] = {}
    for index in sorted(accepted):
        item = accepted[index]
        previous = current.get(item.key)
        if previous == item.content:
            outcomes[index] = SessionOutcome.DUPLICATE
            continue
        outcomes[index] = SessionOutcome.CREATED if previous is None else SessionOutcome.UPDATED
        current[item.key] = item.content
        if item.key in rows:
            # Corrected within the batch: the first delivery's receive time still counts.
            rows[item.key] |= item.content
        else:
            rows[item.key] = _row(orders[index], item, now=now)
            if item.key in stored:  # a correction keeps the first delivery's receive time
                rows[item.key]["received_at"] = stored[item.key].received_at
    return outcomes, rows


async def record_charge_order(
    session: AsyncSession, order: ChargeOrderRecord, *, now: datetime | None = None
) -> SessionResult:
    """Record one charge order; a rejected order raises `ChargeOrderRejected` with its reason."""
    (result,) = await record_charge_orders(session, [order], now=now)
    if result.outcome is SessionOutcome.REJECTED:
        raise ChargeOrderRejected(result.reason or "rejected", reason=result.reason)
    return result


async def _accept(
    session: AsyncSession,
    orders: Sequence[ChargeOrderRecord],
    rejected: dict[int, str],
    *,
    now: datetime,
) -> dict[int, _Accepted]:
    """Resolve operators and connectors for the batch and apply the rules.

    Returns the accepted orders by index; fills `rejected` with the others' reasons.
    """
    operators = await piles_repository.operator_pks(session, {o.operator_id for o in orders})
    connectors = await repository.connectors(
        session,
        {(operators[o.operator_id], o.connector_id) for o in orders if o.operator_id in operators},
    )
    accepted: dict[int, _Accepted] = {}
    for index, order in enumerate(orders):
        operator_pk = operators.get(order.operator_id)
        if operator_pk is None:
            rejected[index] = f"unknown operator {order.operator_id}"
        elif (connector := connectors.get((operator_pk, order.connector_id))) is None:
            rejected[index] = f"unknown connector {order.connector_id}"
        elif reason := check_charge_order(order, connector_power_kw=connector.power_kw, now=now):
            rejected[index] = reason
        else:
            key = (operator_pk, order.start_charge_seq)
            accepted[index] = _Accepted(key, connector, _content(order, connector))
    return accepted


def _content(order: ChargeOrderRecord, connector: ConnectorInfo) -> dict[str, Any]:
    return {
        "connector_pk": connector.connector_pk,
        "start_at": order.start_at,
        "end_at": order.end_at,
        "energy_wh": order.energy_wh,
        "elec_money_fen": order.elec_money_fen,
        "service_money_fen": order.service_money_fen,
        "total_money_fen": order.total_money_fen,
        "stop_reason": order.stop_reason,
        # Periods in time order, so a re-delivery that lists them differently is a duplicate.
        "details": [_detail(d) for d in sorted(order.details, key=lambda d: (d.start, d.end))],
    }


def _detail(detail: ChargeDetail) -> dict[str, Any]:
    """A ChargeDetails period as JSON: ISO 8601 UTC times, Wh, yuan/kWh prices, fen."""
    return {
        "start": detail.start.isoformat(),
        "end": detail.end.isoformat(),
        "energy_wh": detail.energy_wh,
        "elec_price": detail.elec_price,
        "service_price": detail.service_price,
        "elec_money_fen": detail.elec_money_fen,
        "service_money_fen": detail.service_money_fen,
    }


def _row(order: ChargeOrderRecord, item: _Accepted, *, now: datetime) -> dict[str, Any]:
    operator_pk, seq = item.key
    return {
        "operator_pk": operator_pk,
        "start_charge_seq": seq,
        **item.content,
        # Kept from the first delivery on a correction (not in the upsert's SET list).
        "received_at": order.received_at or now,
        "updated_at": now,
    }


def _session_event(
    item: _Accepted, session_id: int, outcome: SessionOutcome, *, now: datetime
) -> dict[str, Any]:
    # Vendors read the event log: no money and no order ids (StartChargeSeq) in the payload.
    content = item.content
    return event(
        Kind.SESSION_RECORDED,
        subject=f"session:{session_id}",
        area_path=item.connector.area_path,
        payload={
            "session_id": session_id,
            "outcome": outcome.value,
            "connector_id": item.connector.connector_pk,
            "pile_id": item.connector.pile_pk,
            "energy_wh": content["energy_wh"],
            "start_at": content["start_at"].isoformat(),
            "end_at": content["end_at"].isoformat(),
        },
        occurred_at=now,
    )


async def list_sessions(
    session: AsyncSession,
    principal: Principal,
    *,
    area: str | None,
    started_from: datetime | None,
    started_before: datetime | None,
    page: PageParams,
    secret_key: str,
) -> SessionPage:
    """Sessions of an area in id order; vendors get them pseudonymised, in quarter hours."""
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    if principal.is_vendor:
        # A vendor sees a session start at its quarter hour, so it selects by that too:
        # bounds between quarters would find a session's exact start by bisection.
        started_from, started_before = _next_quarter(started_from), _next_quarter(started_before)
    rows = await repository.list_visible(
        session, principal, area_path=area_row.path, started_from=started_from,
        started_before=started_before, after_id=page.after_id, limit=page.fetch_limit,
    )  # fmt: skip
    shown, more = page.cut(rows)
    cursor = next_cursor(shown[-1][0].id if shown else None, more)
    if principal.is_vendor:
        return SessionPage(
            items=[_pseudonymous(row, principal.subject, secret_key) for row in shown],
            next_cursor=cursor,
        )
    return SessionPage(items=[_public(row) for row in shown], next_cursor=cursor)


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else fen / 100


def _public(row: Any) -> SessionPublic:
    charge, operator_connector_id, pile_id, community = row
    return SessionPublic(
        id=charge.id, start_charge_seq=charge.start_charge_seq, connector_id=charge.connector_pk,
        operator_connector_id=operator_connector_id, pile_id=pile_id, community=community,
        start_at=charge.start_at, end_at=charge.end_at, energy_kwh=charge.energy_wh / 1000,
        total_money_yuan=_yuan(charge.total_money_fen),
        elec_money_yuan=_yuan(charge.elec_money_fen),
        service_money_yuan=_yuan(charge.service_money_fen), stop_reason=charge.stop_reason,
    )  # fmt: skip


def _next_quarter(moment: datetime | None) -> datetime | None:
    return None if moment is None else next_quarter(moment)


def _pseudonymous(row: Any, client_id: str, secret_key: str) -> SessionPseudonymous:
    charge, _, pile_id, community = row
    return SessionPseudonymous(
        connector=pseudonym(secret_key, client_id, "connector", charge.connector_pk),
        pile=pseudonym(secret_key, client_id, "pile", pile_id),
        community=community, start_at=quarter_of(as_utc(charge.start_at)),
        end_at=quarter_of(as_utc(charge.end_at)),
        energy_kwh=charge.energy_wh / 1000, stop_reason=charge.stop_reason,
    )  # fmt: skip
