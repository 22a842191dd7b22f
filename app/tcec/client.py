"""The one T/CEC 102 HTTP client, used in both directions.

The hub pulls from an operator with it (`query_stations_info` …) and the simulator pushes to
the hub with it (`notify("notification_stationStatus", …)`). One instance talks to one peer
with one set of keys: `operator_id` is the caller's own OperatorID, which every envelope
carries (S1 §4.4; ref §1.2), and `secrets`/`operator_secret` are what the peer assigned to it.

One `call()`:

1. gets an AccessToken via `query_token` (no Authorization header; ref §2), cached until
   TokenAvailableTime minus a margin; lifetimes over 7 days are capped as suspicious (ref §2:
   one test server sends an epoch in ms);
2. seals the payload with a fresh TimeStamp/Seq per attempt (S1 §6.4.1) and POSTs it with
   `Authorization: Bearer …`, never following redirects;
3. streams the body up to `max_response_bytes`, verifies the response Sig, decrypts Data;
4. retries transport errors, 5xx, 408/429 and Ret -1 (BUSY) with stamina's exponential backoff
   and jitter (Retry-After honoured, capped at `backoff_max`); on Ret 4002 it refreshes the
   token once and retries;
5. all of it inside `deadline` (asyncio.timeout): httpx's read timeout is per chunk, so a
   peer dripping one byte at a time would otherwise hold the call forever (ref S&R §4.4).

Exceptions are those of `app.tcec.errors`. Secrets and the token never appear in
exceptions, logs or reprs; logs carry interface, attempts, elapsed ms and Ret, never payloads.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar

import httpx
import orjson
import stamina
import structlog

from app.core.time import utc_now
from app.tcec.crypto import ChannelSecrets
from app.tcec.envelope import SeqCounter, open_response, seal_request
from app.tcec.errors import (
    FeedError,
    FeedProtocolError,
    FeedRejected,
    FeedTransportError,
    clean_peer_text,
)
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
    StationStatusInfo,
    WireModel,
    dump_wire,
    parse_wire,
)

log = structlog.get_logger(__name__)

QUERY_TOKEN = "query_token"
CONTENT_TYPE = "application/json;charset=utf-8"  # S1 §6.3
STATUS_BATCH = 50  # StationIDs per query_station_status (S2 §6)
MAX_TOKEN_LIFETIME = timedelta(days=7)  # "最长不应超过7天" (S1 §5.3)
TOKEN_MARGIN = timedelta(seconds=60)  # refresh this early (at most a tenth of the lifetime)
FAIL_REASONS = {1: "no such operator", 2: "wrong secret"}  # query_token FailReason (S1 App. A)
_RETRY_STATUSES = frozenset({408, 429})  # besides 5xx
_INTERFACE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")

M = TypeVar("M", bound=WireModel)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ClientLimits:
    """Timeouts, sizes and retry policy of one client (seconds, bytes)."""

    connect_timeout: float = 3.0
    read_timeout: float = 10.0  # per chunk (httpx), hence `deadline`
    write_timeout: float = 5.0
    pool_timeout: float = 5.0
    deadline: float = 30.0  # total per call(), token fetch and retries included
    max_response_bytes: int = 8 * 1024 * 1024
    attempts: int = 4  # per exchange; only transport errors, 5xx, 408/429 and Ret -1 retry
    backoff_initial: float = 0.2
    backoff_max: float = 5.0
    backoff_jitter: float = 0.5  # uniform [0, jitter] added to each backoff

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.deadline <= 0 or self.max_response_bytes <= 0:
            raise ValueError("deadline and max_response_bytes must be positive")
        if min(self.backoff_initial, self.backoff_max, self.backoff_jitter) < 0:
            raise ValueError("backoff values must not be negative")


@dataclass(slots=True)
class _Token:
    value: str = field(repr=False)
    expires_at: datetime


@dataclass(slots=True)
class _CallStats:
    attempts: int = 0
    ret: int | None = None
    last_error: FeedError | None = None
    error: BaseException | None = None


class TcecClient:
    """A T/CEC 102 client for one peer; use `async with` or call `aclose()`."""

    def __init__(
        self,
        *,
        base_url: str,
        operator_id: str,
        secrets: ChannelSecrets,
        operator_secret: str,
        transport: httpx.AsyncBaseTransport | None = None,
        limits: ClientLimits = ClientLimits(),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host or not base_url.endswith("/"):
            raise ValueError("base_url must be an http(s) URL ending in '/'")
        if url.userinfo:
            raise ValueError("base_url must not carry credentials")
        if not operator_id or not operator_secret:
            raise ValueError("operator_id and operator_secret must not be empty")
        self._base_url = base_url
        self._operator_id = operator_id
        self._secrets = secrets
        self._operator_secret = operator_secret
        self._limits = limits
        self._clock = clock
        self._seq = SeqCounter()
        self._token: _Token | None = None
        self._token_lock = asyncio.Lock()
        self._http = httpx.AsyncClient(
            base_url=base_url,
            transport=transport,
            timeout=httpx.Timeout(
                connect=limits.connect_timeout,
                read=limits.read_timeout,
                write=limits.write_timeout,
                pool=limits.pool_timeout,
            ),
            follow_redirects=False,
            headers={"User-Agent": "PileHub-TCEC/1"},
        )

    def __repr__(self) -> str:
        return f"TcecClient(base_url={self._base_url!r}, operator_id={self._operator_id!r})"

    async def __aenter__(self) -> TcecClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- generic calls ---------------------------------------------------------------------

    async def call(self, interface: str, payload: Any) -> Any:
        """POST `payload` (JSON data or a wire model) to `interface`; return the decrypted Data
        (parsed JSON, or None when the peer sent none)."""
        if not _INTERFACE.fullmatch(interface) or interface == QUERY_TOKEN:
            raise ValueError(f"not a callable interface name: {interface!r}")
        data = dump_wire(payload) if isinstance(payload, WireModel) else payload
        return await self._logged(
            interface, lambda stats: self._call_with_token(interface, data, stats)
        )

    async def notify(self, interface: str, payload: Any) -> Any:
        """Push a notification_* interface; the same as `call`, named for the sender's side."""
        return await self.call(interface, payload)

    # --- 102.2 pulls -------------------------------------------------------------------------

    async def query_stations_info(
        self, *, last_query_time: datetime | None = None, page_no: int = 1, page_size: int = 50
    ) -> QueryStationsInfoResponse:
        """One page of the station catalogue, changed since `last_query_time` if given."""
        request = QueryStationsInfoRequest(
            last_query_time=last_query_time, page_no=page_no, page_size=page_size
        )
        data = await self.call("query_stations_info", dump_wire(request))
        return _parse(QueryStationsInfoResponse, "query_stations_info", data)

    async def query_station_status(self, station_ids: Sequence[str]) -> QueryStationStatusResponse:
        """Connector status of the stations, asked in batches of 50 (S2 §6) and merged."""
        if isinstance(station_ids, str):
            raise TypeError("station_ids must be a sequence of IDs, not one string")
        ids = list(dict.fromkeys(station_ids))  # a duplicate would only cost a batch slot
        infos: list[StationStatusInfo] = []
        unknown: dict[str, None] = {}
        for start in range(0, len(ids), STATUS_BATCH):
            request = QueryStationStatusRequest(station_ids=ids[start : start + STATUS_BATCH])
            data = await self.call("query_station_status", dump_wire(request))
            answer = _parse(QueryStationStatusResponse, "query_station_status", data)
            infos.extend(answer.station_status_infos)
            unknown.update(dict.fromkeys(answer.unknown_keys))
        return QueryStationStatusResponse.model_construct(
            total=len(infos), station_status_infos=infos, unknown_keys=tuple(unknown)
        )

    async def query_station_stats(
        self, station_id: str, start: date, end: date
    ) -> QueryStationStatsResponse:
        """Energy statistics of one station for the dates `start`..`end` (inclusive)."""
        request = QueryStationStatsRequest(station_id=station_id, start_time=start, end_time=end)
        data = await self.call("query_station_stats", dump_wire(request))
        return _parse(QueryStationStatsResponse, "query_station_stats", data)

    # --- token -------------------------------------------------------------------------------

    async def _call_with_token(self, interface: str, data: Any, stats: _CallStats) -> Any:
        token = await self._valid_token()
        try:
            return await self._exchange(interface, data, token, stats)
        except FeedProtocolError as error:
            if not (error.from_peer and error.ret == Ret.BAD_TOKEN):
                raise
        # 4002: the peer lost or revoked the token; one fresh token, one more try (ref §1.6).
        token = await self._valid_token(stale=token)
        return await self._exchange(interface, data, token, stats)

    async def _valid_token(self, stale: str | None = None) -> str:
        async with self._token_lock:  # concurrent calls share one query_token
            cached = self._token
            if cached and cached.value != stale and self._clock() < cached.expires_at:
                return cached.value
            self._token = None
            self._token = await self._logged(QUERY_TOKEN, self._fetch_token)
            return self._token.value

    async def _fetch_token(self, stats: _CallStats) -> _Token:
        issued_at = self._clock()
        request = QueryTokenRequest(
            operator_id=self._operator_id, operator_secret=self._operator_secret
        )
        data = await self._exchange(QUERY_TOKEN, dump_wire(request), None, stats)
        try:
            answer = parse_wire(QueryTokenResponse, data)
        except TcecError as error:
            raise FeedProtocolError(
                f"query_token answer is malformed: {error.msg}", ret=error.ret, from_peer=False
            ) from None
        if answer.succ_stat != 0:
            reason = FAIL_REASONS.get(answer.fail_reason, "reason defined by the peer")
            raise FeedProtocolError(
                f"query_token refused: {reason} (FailReason {answer.fail_reason})",
                ret=Ret.OK,
                fail_reason=answer.fail_reason,
            )
        if not answer.access_token:
            raise FeedProtocolError(
                "query_token answered without an AccessToken", ret=Ret.BAD_DATA, from_peer=False
            )
        return _Token(answer.access_token, issued_at + self._token_lifetime(answer))

    def _token_lifetime(self, answer: QueryTokenResponse) -> timedelta:
        seconds = answer.token_available_time
        if seconds > MAX_TOKEN_LIFETIME.total_seconds():
            log.warning("tcec.token_lifetime_capped", peer=self._base_url, seconds=seconds)
            seconds = int(MAX_TOKEN_LIFETIME.total_seconds())
        lifetime = timedelta(seconds=max(seconds, 0))
        return lifetime - min(TOKEN_MARGIN, lifetime / 10)

    # --- one exchange: retries around single attempts -------------------------------------

    async def _exchange(
        self, interface: str, data: Any, token: str | None, stats: _CallStats
    ) -> Any:
        limits = self._limits
        async for attempt in stamina.retry_context(
            on=self._retry_backoff,
            attempts=limits.attempts,
            timeout=limits.deadline,
            wait_initial=limits.backoff_initial,
            wait_max=limits.backoff_max,
            wait_jitter=limits.backoff_jitter,
        ):
            with attempt:
                stats.attempts += 1
                try:
                    return await self._attempt(interface, data, token, stats)
                except FeedError as error:
                    stats.last_error = error
                    raise
        raise AssertionError("unreachable: stamina re-raises the last error")

    def _retry_backoff(self, error: Exception) -> bool | float:
        if isinstance(error, FeedTransportError) and error.retryable:
            if error.retry_after is not None:
                return min(error.retry_after, self._limits.backoff_max)
            return True
        return isinstance(error, FeedProtocolError) and error.ret == Ret.BUSY

    async def _attempt(
        self, interface: str, data: Any, token: str | None, stats: _CallStats
    ) -> Any:
        try:
            timestamp, seq = self._seq.next(self._clock())
        except TcecError as error:  # > 9999 calls in one second: wait for the next one
            raise FeedProtocolError(error.msg, ret=error.ret, from_peer=False) from None
        envelope = seal_request(
            self._operator_id, data, self._secrets, timestamp=timestamp, seq=seq
        )
        headers = {"Content-Type": CONTENT_TYPE}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        body = await self._post(interface, json.dumps(envelope).encode("utf-8"), headers)
        try:
            ret, msg, payload = open_response(body, self._secrets)
        except TcecError as error:
            raise FeedProtocolError(
                f"{interface}: response rejected: {error.msg}",
                ret=error.ret,
                msg=error.msg,
                from_peer=False,
            ) from None
        stats.ret = ret
        if ret != Ret.OK:
            text = clean_peer_text(msg)
            raise FeedProtocolError(
                f"{interface}: peer answered Ret {ret} ({_ret_name(ret)})"
                + (f": {text}" if text else ""),
                ret=ret,
                msg=msg,
            )
        return payload

    async def _post(self, interface: str, content: bytes, headers: dict[str, str]) -> Any:
        try:
            async with self._http.stream(
                "POST", interface, content=content, headers=headers
            ) as response:
                _check_status(interface, response)
                raw = await self._read_capped(interface, response)
        except httpx.TransportError as error:
            # UnsupportedProtocol is configuration, not weather; everything else may pass.
            retryable = not isinstance(error, httpx.UnsupportedProtocol)
            detail = str(error) or "no detail"
            raise FeedTransportError(
                f"{interface}: {type(error).__name__}: {detail}"[:300], retryable=retryable
            ) from error
        except httpx.DecodingError as error:
            raise FeedTransportError(
                f"{interface}: response body cannot be decoded ({type(error).__name__})"
            ) from error
        try:
            return orjson.loads(raw)
        except ValueError:
            raise FeedTransportError(
                f"{interface}: response body is not JSON ({len(raw)} bytes)"
            ) from None

    async def _read_capped(self, interface: str, response: httpx.Response) -> bytes:
        limit = self._limits.max_response_bytes
        declared = response.headers.get("content-length", "")
        too_big = FeedTransportError(f"{interface}: response body exceeds {limit} bytes")
        if declared.isdigit() and int(declared) > limit:
            raise too_big
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise too_big  # leaving the stream closes the connection unread
        return bytes(body)

    # --- logging -----------------------------------------------------------------------------

    async def _logged(
        self, interface: str, operation: Callable[[_CallStats], Coroutine[Any, Any, T]]
    ) -> T:
        """Run one call under the deadline (nested calls share the outer one) and log it."""
        stats = _CallStats()
        started = time.monotonic()
        try:
            if interface == QUERY_TOKEN:  # runs inside the deadline of the call that needs it
                return await operation(stats)
            async with asyncio.timeout(self._limits.deadline):
                return await operation(stats)
        except TimeoutError:
            stats.error = self._deadline_error(interface, stats)
            raise stats.error from None
        except BaseException as error:
            stats.error = error
            raise
        finally:
            self._log(interface, stats, started)

    def _deadline_error(self, interface: str, stats: _CallStats) -> FeedTransportError:
        last = f"; last error: {stats.last_error}" if stats.last_error else ""
        return FeedTransportError(
            f"{interface}: deadline of {self._limits.deadline:g} s exceeded "
            f"after {stats.attempts} attempt(s){last}"
        )

    def _log(self, interface: str, stats: _CallStats, started: float) -> None:
        fields: dict[str, Any] = {
            "peer": self._base_url,
            "interface": interface,
            "attempts": stats.attempts,
            "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
            "ret": stats.ret,
        }
        if stats.error is None:
            log.debug("tcec.call", **fields)
        else:
            reason = str(stats.error) if isinstance(stats.error, FeedError) else ""
            log.warning(
                "tcec.call_failed", **fields, error=type(stats.error).__name__, reason=reason
            )


def _check_status(interface: str, response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if 300 <= status < 400:
        # Never followed: a redirect to 169.254.169.254 is how SSRF starts (S&R §4.4).
        raise FeedTransportError(
            f"{interface}: HTTP {status} redirect refused (redirects are never followed)",
            status_code=status,
        )
    retryable = status >= 500 or status in _RETRY_STATUSES
    raise FeedTransportError(
        f"{interface}: HTTP {status}",
        retryable=retryable,
        status_code=status,
        retry_after=_retry_after(response.headers.get("retry-after")) if retryable else None,
    )


def _ret_name(ret: int) -> str:
    try:
        return Ret(ret).name
    except ValueError:
        return "custom"


def _retry_after(value: str | None) -> float | None:
    # Delta-seconds only; an HTTP-date falls back to the usual backoff.
    if value is None or not value.strip().isdigit():
        return None
    return float(value.strip())


def _parse(model: type[M], interface: str, data: Any) -> M:
    try:
        return parse_wire(model, data)
    except TcecError as error:
        raise FeedRejected(f"{interface}: answer not mappable: {error.msg}", payload=data) from None
