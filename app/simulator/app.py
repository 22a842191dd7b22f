"""The simulated State Grid platform's HTTP side: what the hub pulls, under /evcs/v1/.

Implements the operator's half of T/CEC 102 for a data demander (ref §3.2, §3.4):
`query_token` (S1 App. A), `query_stations_info`, `query_station_status` and
`query_station_stats` (S2 §6), holding the hub to the protocol like a strict real platform:

    envelope fields (4003) → Sig with the hub's keys (4001) → Bearer token (4002)
    → Data decrypts and parses (4004) → business fields (4004) → answer, Ret 0

Answers are HTTP 200 with a signed Ret envelope, also for errors (ref §1.1); only a caller
that cannot be identified gets an unsigned one. Every answer goes into the ledger.
Also `GET /ledger` (a summary of the ledger, `?tail=n` for the last entries) and
`GET /healthz`, for tests and the demo.
"""

from __future__ import annotations

import hmac
import json
import math
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

import structlog
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse

from app.simulator.catalogue import station_info
from app.simulator.ledger import Kind, Outcome, entries_json
from app.simulator.state import SimulatorState
from app.tcec.crypto import ChannelSecrets
from app.tcec.envelope import decrypt_payload, seal_response, verify_request_signature
from app.tcec.ret import Ret, TcecError
from app.tcec.wire import (
    QueryStationsInfoRequest,
    QueryStationsInfoResponse,
    QueryStationStatsRequest,
    QueryStationStatsResponse,
    QueryStationStatusRequest,
    QueryStationStatusResponse,
    QueryTokenRequest,
    QueryTokenResponse,
    WireModel,
    dump_wire,
    parse_wire,
)

log = structlog.get_logger(__name__)

MAX_BODY_BYTES = 256 * 1024
MAX_PAGE_SIZE = 100
MAX_STATS_DAYS = 366
STATION_ELECTRICITY = Decimal("0.1")  # StationElectricity has 1 dp (S2 §4.8)
PART_ELECTRICITY = Decimal("0.01")

M = TypeVar("M", bound=WireModel)
Handler = Callable[[SimulatorState, str, Any], dict[str, Any]]


def _wire(model: type[M], raw: dict[str, Any]) -> dict[str, Any]:
    """Our own answer through the wire model, so it is what a strict peer expects."""
    return dump_wire(parse_wire(model, raw))


# --- interfaces -------------------------------------------------------------------------------


def query_token(state: SimulatorState, caller: str, payload: Any) -> dict[str, Any]:
    request = parse_wire(QueryTokenRequest, payload)
    expected = state.credentials.outbound.operator_secret
    token, seconds, reason = "", 0, 0
    if request.operator_id != caller:
        reason = 1  # 无此运营商
    elif not hmac.compare_digest(request.operator_secret.encode(), expected.encode()):
        reason = 2  # 密钥错误
    else:
        token, seconds = state.tokens.issue(caller)
    return _wire(
        QueryTokenResponse,
        {
            "OperatorID": state.operator_id,
            "SuccStat": 0 if token else 1,
            "AccessToken": token,
            "TokenAvailableTime": seconds,
            "FailReason": reason,
        },
    )


def query_stations_info(state: SimulatorState, caller: str, payload: Any) -> dict[str, Any]:
    request = parse_wire(QueryStationsInfoRequest, payload)
    if request.page_no < 1 or request.page_size < 1:
        raise TcecError(Ret.BAD_DATA, "PageNo and PageSize must be at least 1")
    size = min(request.page_size, MAX_PAGE_SIZE)
    modified = state.catalogue_modified_at.replace(microsecond=0)
    since = request.last_query_time
    records = [record for _, record in state.model.catalogue if since is None or modified > since]
    first = (request.page_no - 1) * size
    page = records[first : first + size]
    return _wire(
        QueryStationsInfoResponse,
        {
            "PageNo": request.page_no,
            "PageCount": max(1, math.ceil(len(records) / size)),
            "ItemSize": len(records),
            "StationInfos": [station_info(record, state.model.tariff) for record in page],
        },
    )


def query_station_status(state: SimulatorState, caller: str, payload: Any) -> dict[str, Any]:
    request = parse_wire(QueryStationStatusRequest, payload)
    by_station: dict[str, list[dict[str, Any]]] = {}
    for status in state.model.statuses():
        by_station.setdefault(status.station_id, []).append(
            {"ConnectorID": status.connector_id, "Status": status.status}
        )
    infos = [
        {"StationID": sid, "ConnectorStatusInfos": by_station[sid]}
        for sid in dict.fromkeys(request.station_ids)
        if sid in by_station  # unknown stations are left out, as real platforms do
    ]
    return _wire(QueryStationStatusResponse, {"Total": len(infos), "StationStatusInfos": infos})


def query_station_stats(state: SimulatorState, caller: str, payload: Any) -> dict[str, Any]:
    request = parse_wire(QueryStationStatsRequest, payload)
    first, last = request.start_time, request.end_time
    if last < first:
        raise TcecError(Ret.BAD_DATA, "EndTime is before StartTime")
    if last - first > timedelta(days=MAX_STATS_DAYS):
        raise TcecError(Ret.BAD_DATA, f"at most {MAX_STATS_DAYS} days per query")
    specs = [s for s in state.model.specs if s.station_id == request.station_id]
    if not specs:
        raise TcecError(Ret.BAD_DATA, "unknown StationID")
    equipment: dict[str, list[tuple[str, Decimal]]] = {}
    for spec in specs:
        kwh = state.model.orders.connector_energy(spec.connector_id, first, last)
        equipment.setdefault(spec.equipment_id, []).append((spec.connector_id, kwh))
    total = sum((kwh for parts in equipment.values() for _, kwh in parts), Decimal(0))
    return _wire(
        QueryStationStatsResponse,
        {
            "StationStats": {
                "StationID": request.station_id,
                "StartTime": first.isoformat(),
                "EndTime": last.isoformat(),
                "StationElectricity": total.quantize(STATION_ELECTRICITY),
                "EquipmentStatsInfos": [
                    {
                        "EquipmentID": equipment_id,
                        "EquipmentElectricity": sum((kwh for _, kwh in parts), Decimal(0)).quantize(
                            PART_ELECTRICITY
                        ),
                        "ConnectorStatsInfos": [
                            {
                                "ConnectorID": connector_id,
                                "ConnectorElectricity": kwh.quantize(PART_ELECTRICITY),
                            }
                            for connector_id, kwh in parts
                        ],
                    }
                    for equipment_id, parts in equipment.items()
                ],
            }
        },
    )


HANDLERS: dict[str, Handler] = {
    "query_token": query_token,
    "query_stations_info": query_stations_info,
    "query_station_status": query_station_status,
    "query_station_stats": query_station_stats,
}


# --- the envelope around every interface ----------------------------------------------------


def _caller_secrets(state: SimulatorState, body: Any) -> ChannelSecrets | None:
    operator_id = body.get("OperatorID") if isinstance(body, dict) else None
    return state.credentials.outbound.secrets if operator_id == state.hub_operator_id else None


def _check_token(state: SimulatorState, caller: str, authorization: str | None) -> None:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TcecError(Ret.BAD_TOKEN, "missing Bearer token")
    if not state.tokens.valid(caller, token.strip()):
        raise TcecError(Ret.BAD_TOKEN, "token unknown or expired")


def answer(
    state: SimulatorState, interface: str, body: bytes, authorization: str | None
) -> dict[str, Any]:
    """The signed response envelope to one request from the hub; recorded in the ledger."""
    handler = HANDLERS[interface]
    secrets: ChannelSecrets | None = None
    payload: Any = None
    result: dict[str, Any] | None = None
    try:
        if len(body) > MAX_BODY_BYTES:
            raise TcecError(Ret.BAD_ENVELOPE, "request body too large")
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            raise TcecError(Ret.BAD_ENVELOPE, "request body is not JSON") from None
        secrets = _caller_secrets(state, parsed)
        caller, envelope = verify_request_signature(parsed, lambda _: secrets)
        assert secrets is not None  # an unknown caller fails the Sig check
        if interface != "query_token":
            _check_token(state, caller, authorization)
        payload = decrypt_payload(envelope, secrets)
        state.advance()
        result = handler(state, caller, payload)
        ret, msg = Ret.OK, ""
    except TcecError as error:
        ret, msg = error.ret, error.msg
    except Exception:  # a bug here must not look like the hub's fault
        log.exception("simulator.answer_failed", interface=interface)
        ret, msg = Ret.SYSTEM_ERROR, "system error"
    state.ledger.record(
        kind=Kind.ANSWER,
        interface=interface,
        outcome=Outcome.ANSWERED if ret == Ret.OK else Outcome.REJECTED,
        payload=payload,
        ret=int(ret),
        msg=msg,
        result=result,
        sim_time=state.clock.now(),
        wall_time=state.wall(),
    )
    if secrets is None:
        return {"Ret": int(ret), "Msg": msg, "Data": "", "Sig": ""}
    return seal_response(ret, msg, result if ret == Ret.OK else None, secrets)


def summary(state: SimulatorState, tail: int = 0) -> dict[str, Any]:
    ledger = state.ledger
    energy = ledger.energy_by_community(state.community_of())
    window = state.history
    return {
        "operator_id": state.operator_id,
        "sim_time": state.clock.now().isoformat(),
        "caught_up": state.clock.caught_up(),
        "history": None if window is None else [window[0].isoformat(), window[1].isoformat()],
        "entries": len(ledger),
        "counts": ledger.counts(),
        "orders_closed": len(state.model.orders),
        "orders_delivered": len(ledger.delivered_orders()),
        "energy_delivered_kwh": {k: str(v) for k, v in sorted(energy.items())},
        "statuses_delivered": ledger.final_statuses(),
        "pending": {"statuses": len(state.pending.statuses), "orders": len(state.pending.orders)},
        "tail": entries_json(list(ledger)[-tail:]) if tail > 0 else [],
    }


def create_simulator_app(state: SimulatorState) -> FastAPI:
    app = FastAPI(
        title="State Grid simulator (synthetic T/CEC 102 operator platform)",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    def endpoint(interface: str) -> Callable[[Request], Any]:
        async def handle(request: Request) -> JSONResponse:
            body = await request.body()
            authorization = request.headers.get("authorization")
            return JSONResponse(answer(state, interface, body, authorization))

        handle.__name__ = interface
        return handle

    for interface in HANDLERS:
        app.add_api_route(f"/evcs/v1/{interface}", endpoint(interface), methods=["POST"])

    @app.get("/ledger")
    async def ledger(tail: int = Query(0, ge=0, le=1000)) -> dict[str, Any]:
        state.advance()
        return summary(state, tail)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "operator_id": state.operator_id,
            "sim_time": state.clock.now().isoformat(),
            "caught_up": state.clock.caught_up(),
        }

    return app
