"""T/CEC 102 endpoints for operators (operator → hub), under /evcs/v1/.

Operators authenticate with the protocol's own token flow (query_token), not OAuth. Every
answer is HTTP 200 with a Ret envelope, as the protocol requires.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from app.core.deps import DATABASE, SETTINGS, VAULT
from app.ingest import push
from app.operators.cache import OPERATOR_CACHE
from app.status.batcher import STATUS_BATCHER


class TcecRoute(APIRoute):
    """A route whose endpoint is called with the request as is.

    The receivers take only `Request` and return a ready Response: operators push at a
    city's rate, and FastAPI's dependency solving and answer validation cost more than the
    protocol's own checks. The route still documents both envelopes in the contract.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint: Callable[[Request], Coroutine[Any, Any, Response]] = self.endpoint
        return endpoint


router = APIRouter(prefix="/evcs/v1", tags=["tcec"], route_class=TcecRoute)

# Bigger bodies than this are not status or order pushes; refuse before parsing them.
MAX_BODY_BYTES = 1024 * 1024
JSON = "application/json"


class TcecRequest(BaseModel):
    """The T/CEC 102 request envelope (S1 §6.4.1); Data is Base64 AES-128-CBC ciphertext."""

    OperatorID: str = Field(examples=["MA002TMQX"])
    Data: str
    TimeStamp: str = Field(examples=["20261126120000"], description="yyyyMMddHHmmss")
    Seq: str = Field(examples=["0001"])
    Sig: str = Field(description="HMAC-MD5(SigSecret, OperatorID+Data+TimeStamp+Seq), upper hex")


class TcecResponse(BaseModel):
    """The T/CEC 102 response envelope (S1 §6.4.2); Sig = HMAC-MD5(SigSecret, Ret+Msg+Data)."""

    Ret: int = Field(description="0 ok, -1 busy, 4001 Sig, 4002 token, 4003 envelope, 4004 data")
    Msg: str
    Data: str
    Sig: str


def _endpoint(interface: str) -> Any:
    async def endpoint(request: Request) -> Response:
        body, whole = await _read_at_most(request, MAX_BODY_BYTES)
        if not whole:
            answer = await push.refuse_oversized(
                DATABASE.of(request),
                VAULT.of(request),
                OPERATOR_CACHE.of(request),
                interface=interface,
                head=body,
            )
            return Response(orjson.dumps(answer), media_type=JSON)
        answer = await push.receive(
            DATABASE.of(request),
            VAULT.of(request),
            SETTINGS.of(request),
            interface=interface,
            body=body,
            authorization=request.headers.get("authorization"),
            cache=OPERATOR_CACHE.of(request),
            statuses=STATUS_BATCHER.of(request),
        )
        return Response(orjson.dumps(answer), media_type=JSON)

    endpoint.__name__ = interface
    endpoint.__doc__ = _DESCRIPTIONS[interface]
    return endpoint


async def _read_at_most(request: Request, limit: int) -> tuple[bytes, bool]:
    """The body, or its first `limit` bytes and False: a body over the limit is not read on."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return bytes(body[:limit]), False
    return bytes(body), True


_DESCRIPTIONS = {
    "query_token": "Get an AccessToken with the OperatorSecret the hub assigned (S1 App. A).",
    "notification_stationStatus": "Push a connector status change (S2 §6.3).",
    "notification_charge_order_info": "Push a finished charge order (S3 §6.9).",
    "notification_equip_charge_status": "Push live charging status of an order (S3 §6.6).",
    "notification_stationInfo": "Push a station's information with its equipment.",
}

_BEARER = {
    "name": "Authorization",
    "in": "header",
    "required": True,
    "description": "Bearer <AccessToken from query_token>",
    "schema": {"type": "string"},
}

for _interface in _DESCRIPTIONS:
    router.add_api_route(
        f"/{_interface}",
        _endpoint(_interface),
        methods=["POST"],
        response_model=TcecResponse,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": TcecRequest.model_json_schema()}},
            },
            "parameters": [] if _interface == "query_token" else [_BEARER],
        },
    )
