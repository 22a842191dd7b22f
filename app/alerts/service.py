"""Alert use cases: follow the board colours (in the colour change's transaction), and let
staff acknowledge and resolve."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts import repository
from app.alerts.errors import AlertAlreadyResolved, AlertNotFound
from app.alerts.schemas import (
    AlertPage,
    AlertPublic,
    AlertState,
    ColourChange,
    OutageReason,
)
from app.auth.principal import Principal
from app.changelog import repository as events_repository
from app.changelog.events import event
from app.changelog.kinds import Kind
from app.core.config import ColourRules
from app.core.metrics import ALERT_CHANGES
from app.core.pagination import PageParams, next_cursor
from app.core.time import utc_now
from app.jurisdictions import service as jurisdictions_service
from app.models import Alert
from app.models.states import Cause

_BAD = {"yellow", "red"}


async def follow_colours(
    session: AsyncSession,
    changes: Sequence[ColourChange],
    *,
    rules: ColourRules,
    now: datetime,
    events: list[dict[str, Any]],
) -> None:
    """Open, escalate, reopen or auto-resolve alerts for these colour changes; append an
    `alert.*` event per change to `events` (written with the transaction's other events).

    Every instant an alert carries is the since of a colour it follows (README, "Alerts"),
    and every cause the pile's."""
    if not changes:
        return
    pile_pks = {change.pile_pk for change in changes}
    unresolved = await repository.unresolved_for_piles(session, pile_pks)
    failing = [
        c for c in changes if c.recoloured and c.colour in _BAD and c.pile_pk not in unresolved
    ]
    reopenable = await _reopenable(session, failing, rules=rules)
    touched: list[tuple[Alert, Kind, dict[str, Any]]] = []
    quiet: list[Alert] = []  # a new cause under the same colour: stored, no event of its own
    for change in changes:
        alert = unresolved.get(change.pile_pk)
        if change.colour in _BAD:
            assert change.cause is not None  # yellow and red always have one
            if not change.recoloured:
                if alert is not None and alert.cause != change.cause:
                    alert.cause = change.cause
                    quiet.append(alert)
                continue
            if alert is None and change.pile_pk in reopenable:
                alert = reopenable[change.pile_pk]
                alert.state, alert.resolved_at, alert.resolve_note = AlertState.OPEN, None, None
                alert.reopened += 1
                alert.severity = _worse(alert.severity, change.colour)
                touched.append((alert, Kind.ALERT_REOPENED, _since(change, alert)))
            elif alert is None:
                alert = Alert(
                    pile_pk=change.pile_pk, area_path=change.area_path,
                    equipment_id=change.equipment_id, community=change.community,
                    severity=change.colour, cause=change.cause, state=AlertState.OPEN,
                    opened_at=change.since,
                )  # fmt: skip
                touched.append((alert, Kind.ALERT_OPENED, _since(change, alert)))
            elif change.colour == "red" and alert.severity == "yellow":
                alert.severity, alert.escalated_at = "red", change.since
                touched.append((alert, Kind.ALERT_ESCALATED, _since(change, alert)))
            # A late report can date the pile's trouble before the alert opened: the alert
            # then covers that too, so it never resolves before it opened.
            alert.opened_at = min(alert.opened_at, change.since)
            alert.cause = change.cause
        elif alert is not None and change.colour == "green" and rules.auto_resolve_alerts:
            alert.state, alert.resolved_at = AlertState.RESOLVED, change.since
            touched.append((alert, Kind.ALERT_RESOLVED, {"since": change.since}))
    for alert in quiet + [alert for alert, _, _ in touched]:
        alert.updated_at = now
    await repository.save(session, quiet + [alert for alert, _, _ in touched])
    events.extend(_event(alert, kind, now, **extra) for alert, kind, extra in touched)
    for _, kind, _ in touched:
        ALERT_CHANGES.labels(kind).inc()


def _since(change: ColourChange, alert: Alert) -> dict[str, Any]:
    """What an opening, escalating or reopening event says beyond the alert: the colour's
    since, and the cause it had before (when this change replaces it)."""
    extra: dict[str, Any] = {"since": change.since}
    if alert.cause and alert.cause != change.cause:
        extra["previous_cause"] = alert.cause
    return extra


async def _reopenable(
    session: AsyncSession, failing: Sequence[ColourChange], *, rules: ColourRules
) -> dict[int, Alert]:
    """Flap suppression: alerts of piles failing again soon after they recovered by
    themselves."""
    if not failing:
        return {}
    recent = await repository.auto_resolved_since(
        session,
        {c.pile_pk for c in failing},
        min(c.since for c in failing) - rules.alert_reopen_window,
    )
    return {
        c.pile_pk: recent[c.pile_pk]
        for c in failing
        if c.pile_pk in recent
        and (resolved_at := recent[c.pile_pk].resolved_at) is not None
        and c.since - resolved_at <= rules.alert_reopen_window
    }


def _worse(a: str, b: str) -> str:
    return "red" if "red" in (a, b) else "yellow"


def _event(
    alert: Alert,
    kind: Kind,
    now: datetime,
    *,
    since: datetime | None = None,
    previous_cause: str | None = None,
) -> dict[str, Any]:
    """An `alert.*` event. `since` is the instant of this change when a colour made it (the
    colour's since); staff actions happen at `now`."""
    return event(
        kind, subject=f"alert:{alert.id}", area_path=alert.area_path,
        payload={
            "alert_id": alert.id, "pile_id": alert.pile_pk, "equipment_id": alert.equipment_id,
            "community": alert.community, "severity": alert.severity, "cause": alert.cause,
            "previous_cause": previous_cause, "state": alert.state,
            "since": (since or now).isoformat(),
            "opened_at": alert.opened_at.isoformat(),
            "escalated_at": _iso(alert.escalated_at),
            "resolved_at": _iso(alert.resolved_at),
        },
        occurred_at=now,
    )  # fmt: skip


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def public(alert: Alert) -> AlertPublic:
    assert alert.id is not None
    return AlertPublic(
        id=alert.id, pile_id=alert.pile_pk, equipment_id=alert.equipment_id,
        community=alert.community, severity=alert.severity, cause=Cause(alert.cause),
        state=AlertState(alert.state), opened_at=alert.opened_at,
        escalated_at=alert.escalated_at, acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by, acknowledge_note=alert.acknowledge_note,
        resolved_at=alert.resolved_at, resolved_by=alert.resolved_by,
        resolve_note=alert.resolve_note,
        outage_reason=OutageReason(alert.outage_reason) if alert.outage_reason else None,
        reopened=alert.reopened,
    )  # fmt: skip


async def list_alerts(
    session: AsyncSession,
    principal: Principal,
    *,
    area: str | None,
    states: Sequence[AlertState] | None,
    severity: str | None,
    page: PageParams,
) -> AlertPage:
    """Alerts of an area, newest first."""
    area_row = await jurisdictions_service.get_visible_area(session, principal, area)
    rows = await repository.list_visible(
        session, principal, area_path=area_row.path,
        states=[str(state) for state in states] if states else None, severity=severity,
        before_id=page.after_id, limit=page.fetch_limit,
    )  # fmt: skip
    shown, more = page.cut(rows)
    items = [public(alert) for alert in shown]
    return AlertPage(items=items, next_cursor=next_cursor(items[-1].id if items else None, more))


async def acknowledge(
    session: AsyncSession, principal: Principal, alert_id: int, *, note: str | None
) -> AlertPublic:
    alert = await _unresolved(session, principal, alert_id)
    now = utc_now()
    alert.state, alert.acknowledged_at = AlertState.ACKNOWLEDGED, now
    alert.acknowledged_by, alert.acknowledge_note, alert.updated_at = principal.subject, note, now
    return await _saved(session, alert, Kind.ALERT_ACKNOWLEDGED, now)


async def resolve(
    session: AsyncSession,
    principal: Principal,
    alert_id: int,
    *,
    note: str | None,
    outage_reason: OutageReason | None,
) -> AlertPublic:
    alert = await _unresolved(session, principal, alert_id)
    now = utc_now()
    alert.state, alert.resolved_at, alert.resolved_by = AlertState.RESOLVED, now, principal.subject
    alert.resolve_note, alert.updated_at = note, now
    alert.outage_reason = outage_reason.value if outage_reason else None
    return await _saved(session, alert, Kind.ALERT_RESOLVED, now)


async def _unresolved(session: AsyncSession, principal: Principal, alert_id: int) -> Alert:
    alert = await repository.get_visible(session, principal, alert_id)
    if alert is None:
        raise AlertNotFound(f"No alert {alert_id} in your area.")
    if alert.state == AlertState.RESOLVED:
        raise AlertAlreadyResolved(f"Alert {alert_id} was resolved at {alert.resolved_at}.")
    return alert


async def _saved(session: AsyncSession, alert: Alert, kind: Kind, now: datetime) -> AlertPublic:
    await repository.save(session, [alert])
    await events_repository.insert(session, [_event(alert, kind, now)])
    ALERT_CHANGES.labels(kind).inc()
    return public(alert)
