"""Receiving T/CEC 102 pushes from operators (operator → hub).

Checks run in the protocol's order: envelope fields (4003) → signature (4001) → token (4002)
→ decrypt and parse (4004) → business rules (4004). Protocol errors are answered with HTTP 200
and a signed Ret (unsigned only when the caller cannot be identified). Every refused record
from an authenticated operator is quarantined with its reason in the same transaction as the
records of the same push that were accepted. docs/architecture.md follows a push from here
to the change log and its readers.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import structlog
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.config import Settings
from app.core.db import Database, database_unavailable
from app.core.metrics import TCEC_REQUESTS
from app.core.time import utc_now
from app.core.vault import SecretVault
from app.ingest import mapper
from app.ingest.quarantine import quarantine
from app.jurisdictions.errors import AreaNotFound
from app.operators import service as operators_service
from app.operators.cache import OperatorCache
from app.operators.service import Channel
from app.piles import service as piles_service
from app.piles.errors import UnknownOperator
from app.sessions import service as sessions_service
from app.sessions.schemas import SessionOutcome
from app.status.batcher import StatusBatcher
from app.status.schemas import Outcome, StatusReport
from app.tcec.crypto import ChannelSecrets
from app.tcec.envelope import decrypt_payload, parse_timestamp, seal_response
from app.tcec.envelope import verify_request_signature as verify_signature
from app.tcec.ret import Ret, TcecError
from app.tcec.wire import (
    ChargeOrderInfo,
    ConnectorStatusInfo,
    EquipChargeStatus,
    NotificationStatus,
    QueryTokenRequest,
    StationInfo,
    StationStatusPush,
    parse_wire,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Answer:
    ret: Ret
    msg: str
    payload: Any | None


@dataclass(frozen=True, slots=True)
class PushContext:
    database: Database
    # The push's own transaction, for handlers that write through it; None for status
    # pushes, which the batcher writes in its own transactions.
    session: AsyncSession | None
    settings: Settings
    channel: Channel
    envelope: dict[str, str]
    received_at: datetime
    statuses: StatusBatcher

    async def refuse(self, interface: str, reason: str, payload: Any) -> Answer:
        if self.session is not None:
            await self._quarantine(self.session, interface, reason, payload)
        else:
            async with self.database.session(write=True) as session:
                await self._quarantine(session, interface, reason, payload)
        return Answer(Ret.BAD_DATA, reason, None)

    async def refuse_records(
        self, interface: str, refusals: list[tuple[str, Any]], *, of: int
    ) -> Answer:
        """Quarantine each refused record with its own reason (the others were stored);
        the answer says how many were refused, and why."""
        async with self.database.session(write=True) as session:
            for reason, record in refusals:
                await self._quarantine(session, interface, reason, record)
        reasons = "; ".join(reason for reason, _ in refusals)
        stored = of - len(refusals)
        return Answer(Ret.BAD_DATA, f"{len(refusals)} of {of} refused ({stored} stored): {reasons}",
                      None)  # fmt: skip

    async def _quarantine(
        self, session: AsyncSession, interface: str, reason: str, payload: Any
    ) -> None:
        await quarantine(
            session,
            operator_pk=self.channel.operator_pk,
            source=f"tcec:{interface}",
            reason=reason,
            payload=payload,
            received_at=self.received_at,
        )

    @property
    def write_session(self) -> AsyncSession:
        assert self.session is not None, "this interface is dispatched without a session"
        return self.session


Handler = Callable[[PushContext, Any], Awaitable[Answer]]


async def receive(
    database: Database,
    vault: SecretVault,
    settings: Settings,
    *,
    interface: str,
    body: bytes,
    authorization: str | None,
    cache: OperatorCache,
    statuses: StatusBatcher,
) -> dict[str, Any]:
    """Answer one T/CEC request to the hub with its (signed) response envelope."""
    received_at = utc_now()
    channel: Channel | None = None
    try:
        parsed = _parse_body(body)
        channel = await _caller(database, vault, cache, parsed)
        _, envelope = verify_signature(parsed, lambda oid: _secrets_for(channel, oid))
        assert channel is not None  # verify_signature refused an unknown caller
        if interface != "query_token":
            await _check_token(database, cache, channel, authorization)
        if interface in BATCHED:
            context = PushContext(
                database, None, settings, channel, envelope, received_at, statuses
            )
            answer = await _dispatch(context, interface)
        else:
            async with database.session(write=True) as session:
                context = PushContext(
                    database, session, settings, channel, envelope, received_at, statuses
                )
                answer = await _dispatch(context, interface)
        TCEC_REQUESTS.labels(interface, int(answer.ret)).inc()
        return seal_response(answer.ret, answer.msg, answer.payload, channel.secrets)
    except TcecError as error:
        return _refused(interface, error, channel)
    except Exception as exc:
        if not database_unavailable(exc):
            raise
        # The protocol's "busy, retry later": nothing of this push was stored, and the operator
        # sends it again.
        log.warning("tcec database unavailable", interface=interface)
        return _refused(interface, TcecError(Ret.BUSY, "system busy, retry later"), channel)


# Where an envelope names its sender. Only a JSON key can match: inside a string value the
# quotes would be escaped.
_OPERATOR_ID = re.compile(rb'"OperatorID"\s*:\s*"([A-Za-z0-9]{1,32})"')


async def refuse_oversized(
    database: Database, vault: SecretVault, cache: OperatorCache, *, interface: str, head: bytes
) -> dict[str, Any]:
    """Ret 4003 for a body over the size limit, signed for the operator its first bytes name
    (the protocol puts OperatorID first), so a known operator can trust even this answer."""
    found = _OPERATOR_ID.search(head)
    channel = None
    if found is not None:
        channel = await _caller(database, vault, cache, {"OperatorID": found[1].decode()})
    return _refused(interface, TcecError(Ret.BAD_ENVELOPE, "request body too large"), channel)


def _refused(interface: str, error: TcecError, channel: Channel | None) -> dict[str, Any]:
    """A refusal counted, logged and answered: signed for a known caller."""
    TCEC_REQUESTS.labels(interface, int(error.ret)).inc()
    log.info("tcec request refused", interface=interface, ret=int(error.ret), msg=error.msg)
    if channel is None:  # no known caller: nobody's secret to sign with
        return {"Ret": int(error.ret), "Msg": error.msg, "Data": "", "Sig": ""}
    return seal_response(error.ret, error.msg, None, channel.secrets)


def _parse_body(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise TcecError(Ret.BAD_ENVELOPE, "request body is not JSON") from None


async def _caller(
    database: Database, vault: SecretVault, cache: OperatorCache, parsed: Any
) -> Channel | None:
    operator_id = parsed.get("OperatorID") if isinstance(parsed, dict) else None
    if not isinstance(operator_id, str) or len(operator_id) > 32:
        return None

    async def load() -> Channel | None:
        async with database.session() as session:
            return await operators_service.inbound_channel(session, vault, operator_id)

    return await cache.channel(operator_id, load)


def _secrets_for(channel: Channel | None, operator_id: str) -> ChannelSecrets | None:
    return channel.secrets if channel is not None and channel.operator_id == operator_id else None


async def _check_token(
    database: Database, cache: OperatorCache, channel: Channel, authorization: str | None
) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise TcecError(Ret.BAD_TOKEN, "missing Bearer token")

    async def expiry() -> datetime | None:
        async with database.session() as session:
            return await operators_service.token_expiry(session, channel, token)

    if not await cache.token_is_valid(channel, token, expiry):
        raise TcecError(Ret.BAD_TOKEN, "token unknown or expired")


async def _dispatch(context: PushContext, interface: str) -> Answer:
    handler = HANDLERS.get(interface)
    if handler is None:
        raise TcecError(Ret.BAD_ENVELOPE, f"unknown interface {interface}")
    try:
        payload = decrypt_payload(context.envelope, context.channel.secrets)
    except TcecError as error:
        # The caller is authenticated: keep what it sent (still encrypted) for diagnosis.
        return await context.refuse(interface, error.msg, {"Data": context.envelope["Data"]})
    try:
        return await handler(context, payload)
    except TcecError as error:
        return await context.refuse(interface, error.msg, payload)


async def _query_token(context: PushContext, payload: Any) -> Answer:
    request = parse_wire(QueryTokenRequest, payload)
    grant = await operators_service.issue_token(
        context.write_session,
        context.channel if request.operator_id == context.channel.operator_id else None,
        operator_secret=request.operator_secret,
        ttl=context.settings.operator_token_ttl,
    )
    return Answer(
        Ret.OK,
        "",
        {
            "OperatorID": request.operator_id,
            "SuccStat": 0 if grant.access_token else 1,
            "AccessToken": grant.access_token,
            "TokenAvailableTime": grant.available_seconds,
            "FailReason": int(grant.fail_reason),
        },
    )


async def _station_status(context: PushContext, payload: Any) -> Answer:
    push = parse_wire(StationStatusPush, payload)
    timestamp = context.envelope["TimeStamp"]
    observed_at = parse_timestamp(timestamp)
    _refuse_future(context, observed_at)
    accepted: list[tuple[Any, StatusReport]] = []  # (the record as sent, its report)
    refusals: list[tuple[str, Any]] = []
    for raw in push.connector_status_info:  # record by record: a bad one holds back no other
        try:
            info = parse_wire(ConnectorStatusInfo, raw)
            report = mapper.status_report(
                info,
                operator_id=context.channel.operator_id,
                observed_at=observed_at,
                received_at=context.received_at,
            )
        except TcecError as error:
            refusals.append((error.msg, raw))
            continue
        accepted.append((raw, report))
    # Not in this request's transaction: the batcher writes concurrent pushes together.
    results = await context.statuses.record([r for _, r in accepted]) if accepted else []
    refusals += [
        (result.reason or "rejected", raw)
        for (raw, _), result in zip(accepted, results, strict=True)
        if result.outcome is Outcome.REJECTED
    ]
    if refusals:
        quarantined = [
            (reason, {"TimeStamp": timestamp, "ConnectorStatusInfo": raw})
            for reason, raw in refusals
        ]
        return await context.refuse_records(
            "notification_stationStatus", quarantined, of=len(push.connector_status_info)
        )
    ignored = all(r.outcome in (Outcome.DUPLICATE, Outcome.STALE) for r in results)
    status = NotificationStatus.IGNORED if ignored else NotificationStatus.ACCEPTED
    return Answer(Ret.OK, "", {"Status": int(status)})


async def _charge_order(context: PushContext, payload: Any) -> Answer:
    order = parse_wire(ChargeOrderInfo, payload)
    _refuse_foreign_order(context, order.start_charge_seq)
    record = mapper.charge_order_record(
        order, operator_id=context.channel.operator_id, received_at=context.received_at
    )
    (result,) = await sessions_service.record_charge_orders(
        context.write_session, [record], now=context.received_at
    )
    if result.outcome is SessionOutcome.REJECTED:
        return await context.refuse(
            "notification_charge_order_info", result.reason or "rejected", payload
        )
    return Answer(
        Ret.OK,
        "",
        {
            "StartChargeSeq": order.start_charge_seq,
            "ConnectorID": order.connector_id,
            "ConfirmResult": 0,
        },
    )


async def _charge_status(context: PushContext, payload: Any) -> Answer:
    status = parse_wire(EquipChargeStatus, payload)
    _refuse_foreign_order(context, status.start_charge_seq)
    report = mapper.charge_status_report(
        status, operator_id=context.channel.operator_id, received_at=context.received_at
    )
    _refuse_future(context, report.observed_at)
    (result,) = await context.statuses.record([report])
    if result.outcome is Outcome.REJECTED:
        return await context.refuse(
            "notification_equip_charge_status", result.reason or "rejected", payload
        )
    return Answer(Ret.OK, "", {"StartChargeSeq": status.start_charge_seq, "SuccStat": 0})


async def _station_info(context: PushContext, payload: Any) -> Answer:
    info = parse_wire(StationInfo, payload)
    if info.operator_id != context.channel.operator_id:
        raise TcecError(Ret.BAD_DATA, "StationInfo OperatorID is not the caller's")
    record = mapper.station_record(info, jurisdiction_code=info.area_code)
    try:
        await piles_service.register_station(context.write_session, record)
    except (AreaNotFound, UnknownOperator) as error:
        raise TcecError(Ret.BAD_DATA, error.detail) from None
    return Answer(Ret.OK, "", {"Status": int(NotificationStatus.ACCEPTED)})


def _refuse_foreign_order(context: PushContext, start_charge_seq: str) -> None:
    """T/CEC order numbers begin with the OperatorID of the operator that made them: an order
    numbered by another operator is not the caller's to report."""
    if not start_charge_seq.startswith(context.channel.operator_id):
        raise TcecError(Ret.BAD_DATA, "StartChargeSeq does not begin with the caller's OperatorID")


def _refuse_future(context: PushContext, observed_at: datetime) -> None:
    if observed_at > context.received_at + context.settings.max_clock_skew:
        raise TcecError(Ret.BAD_DATA, "TimeStamp is in the future")


# Interfaces whose records go through the status batcher, not the push's own transaction.
BATCHED = frozenset({"notification_stationStatus", "notification_equip_charge_status"})
HANDLERS: dict[str, Handler] = {
    "query_token": _query_token,
    "notification_stationStatus": _station_status,
    "notification_charge_order_info": _charge_order,
    "notification_equip_charge_status": _charge_status,
    "notification_stationInfo": _station_info,
}
