"""TcecClient end to end against an in-test fake operator (httpx.MockTransport, the real codec).

No sockets. stamina runs in test mode (no backoff sleeps, attempts capped at the client's own
`ClientLimits.attempts`); only the deadline tests wait for real, about 0.15 s each.
"""

from __future__ import annotations

import asyncio
import math
import pickle
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
import stamina
import structlog

from app.tcec.client import CONTENT_TYPE, ClientLimits, TcecClient
from app.tcec.crypto import ChannelSecrets
from app.tcec.envelope import decrypt_payload, seal_response, verify_request_signature
from app.tcec.errors import FeedError, FeedProtocolError, FeedRejected, FeedTransportError
from app.tcec.ret import Ret, TcecError
from app.tcec.wire import (
    ConnectorStatusInfo,
    NotificationStationStatusRequest,
    QueryStationsInfoRequest,
    QueryStationStatsRequest,
    QueryStationStatusRequest,
    QueryTokenRequest,
    parse_wire,
)
from tests.tcec.faults import (
    RETRYABLE,
    Fault,
    FaultyTransport,
    except_interfaces,
    only_interfaces,
)

pytestmark = pytest.mark.asyncio

HUB_ID = "MA0HUB001"  # the caller
OPERATOR_ID = "MA002TMQX"  # the peer
SECRETS = ChannelSecrets("Data5ecret-0001x", "IvSecret-0002xyz", "SigSecret-0003-abcdef")
OPERATOR_SECRET = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
SECRET_TEXTS = (SECRETS.data_secret, SECRETS.data_secret_iv, SECRETS.sig_secret, OPERATOR_SECRET)
BASE_URL = "http://operator.test/evcs/v1/"
T0 = datetime(2024, 5, 1, 2, 0, 0, tzinfo=UTC)  # 10:00:00 in Shanghai
FAST = ClientLimits(deadline=5.0, backoff_initial=0.0, backoff_max=0.0, backoff_jitter=0.0)
INFO = "query_stations_info"


# --- the fake operator ---------------------------------------------------------------------


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Seen:
    interface: str
    authorization: str | None
    timestamp: str
    seq: str
    payload: Any = None


class FakeOperator:
    """An operator platform's T/CEC 102 receiver: Sig, then token, then Data (ref §1.5)."""

    def __init__(
        self,
        clock: FakeClock,
        *,
        stations: int = 7,
        token_ttl: int = 7200,
        reported_ttl: int | None = None,
        fail_reason: int = 0,
    ) -> None:
        self.clock = clock
        self.station_ids = [f"S{n:04d}" for n in range(1, stations + 1)]
        self.token_ttl = token_ttl
        self.reported_ttl = token_ttl if reported_ttl is None else reported_ttl
        self.fail_reason = fail_reason
        self.tokens: dict[str, datetime] = {}  # live token -> expiry
        self.issued: list[str] = []
        self.seen: list[Seen] = []  # requests whose Sig verified
        self.requests: list[httpx.Request] = []  # everything that reached the fake
        self.script: dict[str, list[Ret]] = {}  # interface -> Rets to answer first
        self.override: dict[str, Any] = {}  # interface -> Data to answer instead

    def transport(self) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            await asyncio.sleep(0)  # a network round trip lets other tasks run
            return self.handle(request)

        return httpx.MockTransport(handle)

    def calls(self, interface: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.interface == interface]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        interface = request.url.path.rsplit("/", 1)[-1]
        answer = getattr(self, f"_{interface}", None)
        if request.url.path != f"/evcs/v1/{interface}" or answer is None:
            return httpx.Response(404, text="no such interface")
        assert request.headers["content-type"] == CONTENT_TYPE
        try:
            _, envelope = verify_request_signature(request.content, self._secrets_for)
            seen = Seen(
                interface,
                request.headers.get("authorization"),
                envelope["TimeStamp"],
                envelope["Seq"],
            )
            self.seen.append(seen)
            if interface != "query_token":
                self._check_token(seen.authorization)
            seen.payload = decrypt_payload(envelope, SECRETS)
            script = self.script.get(interface)
            if script:
                raise TcecError(script.pop(0), "scripted answer")
            data = self.override.get(interface) or answer(seen.payload)
        except TcecError as error:
            return self._answer(error.ret, error.msg, None)
        return self._answer(Ret.OK, "", data)

    def _secrets_for(self, operator_id: str) -> ChannelSecrets | None:
        return SECRETS if operator_id == HUB_ID else None  # the envelope carries the caller

    def _check_token(self, authorization: str | None) -> None:
        token = (authorization or "").removeprefix("Bearer ")
        expiry = self.tokens.get(token)
        if expiry is None or self.clock() >= expiry:
            raise TcecError(Ret.BAD_TOKEN, "Token错误")

    def _answer(self, ret: Ret, msg: str, data: Any) -> httpx.Response:
        return httpx.Response(200, json=seal_response(ret, msg, data, SECRETS))

    def _query_token(self, payload: Any) -> dict[str, Any]:
        request = parse_wire(QueryTokenRequest, payload)
        reason = self.fail_reason
        if not reason and (request.operator_id, request.operator_secret) != (
            HUB_ID,
            OPERATOR_SECRET,
        ):
            reason = 2
        if reason:
            return {"OperatorID": OPERATOR_ID, "SuccStat": 1, "FailReason": reason}
        token = f"AT-{len(self.issued) + 1:04d}-7f3e9c1d5a"
        self.issued.append(token)
        self.tokens[token] = self.clock() + timedelta(seconds=self.token_ttl)
        return {
            "OperatorID": OPERATOR_ID,
            "SuccStat": 0,
            "AccessToken": token,
            "TokenAvailableTime": self.reported_ttl,
            "FailReason": 0,
        }

    def _query_stations_info(self, payload: Any) -> dict[str, Any]:
        request = parse_wire(QueryStationsInfoRequest, payload)
        size, page = request.page_size, request.page_no
        items = self.station_ids[(page - 1) * size : page * size]
        return {
            "PageNo": page,
            "PageCount": max(1, math.ceil(len(self.station_ids) / size)),
            "ItemSize": len(self.station_ids),
            "StationInfos": [_station(station_id) for station_id in items],
        }

    def _query_station_status(self, payload: Any) -> dict[str, Any]:
        request = parse_wire(QueryStationStatusRequest, payload)  # 4004 beyond 50 IDs
        return {
            "Total": len(request.station_ids),
            "StationStatusInfos": [
                {
                    "StationID": station_id,
                    "ConnectorStatusInfos": [{"ConnectorID": f"{station_id}-1", "Status": 1}],
                }
                for station_id in request.station_ids
            ],
        }

    def _query_station_stats(self, payload: Any) -> dict[str, Any]:
        request = parse_wire(QueryStationStatsRequest, payload)
        return {
            "StationStats": {
                "StationID": request.station_id,
                "StartTime": request.start_time.isoformat(),
                "EndTime": request.end_time.isoformat(),
                "StationElectricity": 123.4,
            }
        }

    def _notification_stationStatus(self, payload: Any) -> dict[str, Any]:
        parse_wire(NotificationStationStatusRequest, payload)
        return {"Status": 0}


def _station(station_id: str) -> dict[str, Any]:
    return {
        "StationID": station_id,
        "OperatorID": OPERATOR_ID,
        "StationName": f"站 {station_id}",
        "AreaCode": "310101",
        "StationType": 1,
        "StationStatus": 50,
    }


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_backoff() -> Iterator[None]:
    # Zero waits; cap=True keeps each test's ClientLimits.attempts as the real limit.
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def operator(clock: FakeClock) -> FakeOperator:
    return FakeOperator(clock)


def make_client(
    transport: httpx.AsyncBaseTransport,
    clock: FakeClock,
    *,
    limits: ClientLimits = FAST,
    operator_secret: str = OPERATOR_SECRET,
) -> TcecClient:
    return TcecClient(
        base_url=BASE_URL,
        operator_id=HUB_ID,
        secrets=SECRETS,
        operator_secret=operator_secret,
        transport=transport,
        limits=limits,
        clock=clock,
    )


def faulty(operator: FakeOperator, *script: Fault, **options: Any) -> FaultyTransport:
    """Faults on query_stations_info only, so the token fetch is not part of the count."""
    return FaultyTransport(
        operator.transport(), script=script, match=only_interfaces(INFO), **options
    )


# --- tokens -----------------------------------------------------------------------------------


async def test_token_is_fetched_once_and_reused(operator: FakeOperator, clock: FakeClock) -> None:
    async with make_client(operator.transport(), clock) as client:
        await client.query_stations_info()
        await client.query_station_stats("S0001", date(2024, 4, 30), date(2024, 4, 30))

    [token_call] = operator.calls("query_token")
    assert token_call.authorization is None  # no Authorization on query_token (ref §2)
    assert token_call.payload == {"OperatorID": HUB_ID, "OperatorSecret": OPERATOR_SECRET}
    others = [seen for seen in operator.seen if seen.interface != "query_token"]
    assert [seen.authorization for seen in others] == [f"Bearer {operator.issued[0]}"] * 2


async def test_concurrent_calls_share_one_token(operator: FakeOperator, clock: FakeClock) -> None:
    async with make_client(operator.transport(), clock) as client:
        await asyncio.gather(*(client.query_stations_info() for _ in range(5)))
    assert len(operator.calls("query_token")) == 1
    assert len(operator.calls(INFO)) == 5


async def test_token_is_refreshed_a_minute_before_it_expires(
    operator: FakeOperator, clock: FakeClock
) -> None:
    async with make_client(operator.transport(), clock) as client:
        await client.query_stations_info()
        clock.advance(7200 - 61)
        await client.query_stations_info()
        assert len(operator.issued) == 1
        clock.advance(2)  # within the last minute of 7200 s
        await client.query_stations_info()
    assert len(operator.issued) == 2
    assert operator.calls(INFO)[-1].authorization == f"Bearer {operator.issued[1]}"


async def test_token_lifetime_beyond_seven_days_is_capped(clock: FakeClock) -> None:
    # One public test server sends an epoch in ms as TokenAvailableTime (ref §2).
    operator = FakeOperator(clock, token_ttl=30 * 86400, reported_ttl=1_714_500_000_000)
    async with make_client(operator.transport(), clock) as client:
        with structlog.testing.capture_logs() as logs:
            await client.query_stations_info()
        clock.advance(7 * 86400 - 120)
        await client.query_stations_info()
        assert len(operator.issued) == 1
        clock.advance(61)
        await client.query_stations_info()
    assert len(operator.issued) == 2
    assert any(entry["event"] == "tcec.token_lifetime_capped" for entry in logs)


async def test_ret_4002_refreshes_the_token_once_and_retries(
    operator: FakeOperator, clock: FakeClock
) -> None:
    async with make_client(operator.transport(), clock) as client:
        await client.query_stations_info()
        operator.tokens.clear()  # the operator restarted and forgot its tokens
        page = await client.query_stations_info()
    assert page.item_size == 7
    assert len(operator.issued) == 2
    assert [seen.authorization for seen in operator.calls(INFO)] == [
        f"Bearer {operator.issued[0]}",
        f"Bearer {operator.issued[0]}",
        f"Bearer {operator.issued[1]}",
    ]


async def test_ret_4002_after_a_fresh_token_is_raised(
    operator: FakeOperator, clock: FakeClock
) -> None:
    operator.script[INFO] = [Ret.BAD_TOKEN] * 5
    async with make_client(operator.transport(), clock) as client:
        with pytest.raises(FeedProtocolError) as info:
            await client.query_stations_info()
    assert info.value.ret == 4002
    assert info.value.from_peer
    assert len(operator.issued) == 2  # one refresh, not a loop
    assert len(operator.calls(INFO)) == 2


@pytest.mark.parametrize(
    ("fail_reason", "phrase"),
    [(1, "no such operator"), (2, "wrong secret"), (42, "reason defined by the peer")],
)
async def test_query_token_refusal_names_the_fail_reason(
    clock: FakeClock, fail_reason: int, phrase: str
) -> None:
    operator = FakeOperator(clock, fail_reason=fail_reason)
    async with make_client(operator.transport(), clock) as client:
        with pytest.raises(FeedProtocolError) as info:
            await client.query_stations_info()
    assert phrase in str(info.value)
    assert info.value.fail_reason == fail_reason
    assert operator.calls(INFO) == []


async def test_wrong_operator_secret_is_reported_as_wrong_secret(
    operator: FakeOperator, clock: FakeClock
) -> None:
    wrong = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
    async with make_client(operator.transport(), clock, operator_secret=wrong) as client:
        with pytest.raises(FeedProtocolError, match="wrong secret") as info:
            await client.query_stations_info()
    assert info.value.fail_reason == 2
    assert wrong not in str(info.value)
    assert wrong not in repr(info.value)


# --- Ret handling -----------------------------------------------------------------------------


async def test_busy_is_retried_then_succeeds(operator: FakeOperator, clock: FakeClock) -> None:
    operator.script[INFO] = [Ret.BUSY, Ret.BUSY]
    async with make_client(operator.transport(), clock) as client:
        page = await client.query_stations_info()
    assert page.page_no == 1
    assert len(operator.calls(INFO)) == 3


async def test_busy_forever_gives_up_after_the_attempts(
    operator: FakeOperator, clock: FakeClock
) -> None:
    operator.script[INFO] = [Ret.BUSY] * 10
    limits = ClientLimits(attempts=3, backoff_initial=0.0, backoff_max=0.0, backoff_jitter=0.0)
    async with make_client(operator.transport(), clock, limits=limits) as client:
        with pytest.raises(FeedProtocolError) as info:
            await client.query_stations_info()
    assert info.value.ret == Ret.BUSY
    assert len(operator.calls(INFO)) == 3


async def test_bad_business_parameters_are_not_retried(
    operator: FakeOperator, clock: FakeClock
) -> None:
    operator.script[INFO] = [Ret.BAD_DATA]
    async with make_client(operator.transport(), clock) as client:
        with pytest.raises(FeedProtocolError) as info:
            await client.query_stations_info()
    assert (info.value.ret, info.value.msg, info.value.from_peer) == (4004, "scripted answer", True)
    assert "Ret 4004 (BAD_DATA): scripted answer" in str(info.value)
    assert len(operator.calls(INFO)) == 1


async def test_bad_response_sig_is_a_protocol_error(
    operator: FakeOperator, clock: FakeClock
) -> None:
    transport = faulty(operator, Fault.BAD_SIG)
    async with make_client(transport, clock) as client:
        with pytest.raises(FeedProtocolError) as info:
            await client.query_stations_info()
    assert info.value.ret == Ret.BAD_SIGNATURE
    assert not info.value.from_peer
    assert len(transport.injected) == 1  # not retried


async def test_answer_that_does_not_fit_the_wire_model_is_rejected(
    operator: FakeOperator, clock: FakeClock
) -> None:
    data = {"PageNo": 1, "StationInfos": []}  # no PageCount, no ItemSize
    operator.override[INFO] = data
    async with make_client(operator.transport(), clock) as client:
        with pytest.raises(FeedRejected, match="PageCount") as info:
            await client.query_stations_info()
    assert info.value.payload == data


# --- HTTP faults -------------------------------------------------------------------------------


async def test_503_is_retried_then_succeeds(operator: FakeOperator, clock: FakeClock) -> None:
    transport = faulty(operator, Fault.SERVER_ERROR)
    async with make_client(transport, clock) as client:
        page = await client.query_stations_info()
    assert page.item_size == 7
    assert [fault for _, fault in transport.injected] == [Fault.SERVER_ERROR, Fault.NONE]


async def test_5xx_forever_fails_after_the_attempts(
    operator: FakeOperator, clock: FakeClock
) -> None:
    transport = faulty(operator, rate=1.0, choices=[Fault.SERVER_ERROR], status_code=500)
    limits = ClientLimits(attempts=3, backoff_initial=0.0, backoff_max=0.0, backoff_jitter=0.0)
    async with make_client(transport, clock, limits=limits) as client:
        with pytest.raises(FeedTransportError) as info:
            await client.query_stations_info()
    assert (info.value.status_code, info.value.retryable) == (500, True)
    assert len(transport.injected) == 3
    assert operator.calls(INFO) == []


async def test_other_4xx_is_not_retried(operator: FakeOperator, clock: FakeClock) -> None:
    async with make_client(operator.transport(), clock) as client:
        with pytest.raises(FeedTransportError) as info:
            await client.call("query_no_such_thing", {})
    assert (info.value.status_code, info.value.retryable) == (404, False)
    assert sum(r.url.path.endswith("query_no_such_thing") for r in operator.requests) == 1


async def test_redirect_fails_and_its_location_is_never_requested(
    operator: FakeOperator, clock: FakeClock
) -> None:
    transport = faulty(operator, Fault.REDIRECT)
    async with make_client(transport, clock) as client:
        with pytest.raises(FeedTransportError, match="redirect") as info:
            await client.query_stations_info()
    assert info.value.status_code == 302
    assert len(transport.injected) == 1  # not retried either
    assert {request.url.host for request in operator.requests} == {"operator.test"}


async def test_connection_errors_and_read_timeouts_are_retried(
    operator: FakeOperator, clock: FakeClock
) -> None:
    transport = faulty(operator, Fault.CONNECT_ERROR, Fault.READ_TIMEOUT, Fault.RESET_MID_BODY)
    async with make_client(transport, clock) as client:
        page = await client.query_stations_info()
    assert page.item_size == 7
    assert len(transport.injected) == 4


@pytest.mark.parametrize("fault", [Fault.SLOW_DRIP, Fault.HANG])
async def test_slow_or_hung_peer_fails_within_the_deadline(
    operator: FakeOperator, clock: FakeClock, fault: Fault
) -> None:
    # httpx's read timeout is per chunk: one byte every 20 ms never trips it (S&R §4.4).
    transport = faulty(operator, fault, drip_interval=0.02, hang_seconds=60)
    limits = ClientLimits(deadline=0.15, backoff_initial=0.0, backoff_max=0.0, backoff_jitter=0.0)
    async with make_client(transport, clock, limits=limits) as client:
        started = time.monotonic()
        with pytest.raises(FeedTransportError, match="deadline of 0.15 s exceeded"):
            await client.query_stations_info()
        assert time.monotonic() - started < 0.15 + 1.0
    assert len(transport.injected) == 1


async def test_oversized_body_is_abandoned_unread(operator: FakeOperator, clock: FakeClock) -> None:
    transport = faulty(operator, Fault.GIANT_BODY, giant_chunk=64 * 1024)  # endless
    limits = ClientLimits(max_response_bytes=256 * 1024, backoff_jitter=0.0)
    async with make_client(transport, clock, limits=limits) as client:
        with pytest.raises(FeedTransportError, match="exceeds 262144 bytes") as info:
            await client.query_stations_info()
    assert not info.value.retryable
    assert transport.bytes_served <= 256 * 1024 + 2 * 64 * 1024
    assert len(transport.injected) == 1


async def test_declared_oversized_body_is_refused_before_reading(
    operator: FakeOperator, clock: FakeClock
) -> None:
    read: list[bytes] = []

    async def body() -> AsyncIterator[bytes]:
        for _ in range(100):
            read.append(b"x")
            yield b"x" * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("query_token"):
            return operator.handle(request)
        return httpx.Response(200, headers={"Content-Length": str(10**9)}, content=body())

    async with make_client(httpx.MockTransport(handler), clock) as client:
        with pytest.raises(FeedTransportError, match="exceeds"):
            await client.query_stations_info()
    assert read == []


@pytest.mark.parametrize("fault", [Fault.GARBAGE_BODY, Fault.TRUNCATED_JSON])
async def test_non_json_body_is_a_transport_error(
    operator: FakeOperator, clock: FakeClock, fault: Fault
) -> None:
    transport = faulty(operator, fault)
    async with make_client(transport, clock) as client:
        with pytest.raises(FeedTransportError, match="not JSON") as info:
            await client.query_stations_info()
    assert not info.value.retryable
    assert len(transport.injected) == 1


async def test_seeded_random_faults_are_ridden_out(
    operator: FakeOperator, clock: FakeClock
) -> None:
    transport = FaultyTransport(
        operator.transport(), seed=20240501, rate=0.3, choices=RETRYABLE, match=except_interfaces()
    )
    limits = ClientLimits(attempts=8, backoff_initial=0.0, backoff_max=0.0, backoff_jitter=0.0)
    async with make_client(transport, clock, limits=limits) as client:
        for _ in range(20):
            await client.query_stations_info()
    faults = {fault for _, fault in transport.injected}
    assert faults > {Fault.NONE}  # some faults were injected, including on query_token
    assert len(operator.calls(INFO)) >= 20


async def test_retry_after_is_honoured_but_capped_at_backoff_max(
    operator: FakeOperator, clock: FakeClock
) -> None:
    # Real backoff this time: Retry-After says an hour, backoff_max says 10 ms.
    transport = faulty(operator, Fault.SERVER_ERROR, retry_after="3600")
    limits = ClientLimits(deadline=2.0, backoff_initial=0.01, backoff_max=0.01, backoff_jitter=0.0)
    with stamina.set_testing(False):
        async with make_client(transport, clock, limits=limits) as client:
            started = time.monotonic()
            await client.query_stations_info()
            assert time.monotonic() - started < 1.0


# --- batching, Seq, typed interfaces ----------------------------------------------------------


async def test_status_of_120_stations_is_asked_in_batches_of_50_and_merged(
    clock: FakeClock,
) -> None:
    operator = FakeOperator(clock, stations=120)
    ids = operator.station_ids + operator.station_ids[:5]  # duplicates are asked once
    async with make_client(operator.transport(), clock) as client:
        answer = await client.query_station_status(ids)
    batches = [seen.payload["StationIDs"] for seen in operator.calls("query_station_status")]
    assert [len(batch) for batch in batches] == [50, 50, 20]
    assert [info.station_id for info in answer.station_status_infos] == operator.station_ids
    assert answer.total == 120
    assert answer.station_status_infos[0].connector_status_infos[0].status == 1


async def test_no_station_ids_means_no_call(operator: FakeOperator, clock: FakeClock) -> None:
    async with make_client(operator.transport(), clock) as client:
        answer = await client.query_station_status([])
    assert answer.station_status_infos == []
    assert operator.seen == []


async def test_seq_counts_within_a_second_and_restarts(
    operator: FakeOperator, clock: FakeClock
) -> None:
    async with make_client(operator.transport(), clock) as client:
        await client.query_stations_info()
        await client.query_stations_info()
        clock.advance(1)
        await client.query_stations_info()
    stamps = [(seen.timestamp, seen.seq) for seen in operator.seen]
    assert stamps == [
        ("20240501100000", "0001"),  # query_token; Shanghai local time
        ("20240501100000", "0002"),
        ("20240501100000", "0003"),
        ("20240501100001", "0001"),
    ]


async def test_retries_get_a_fresh_seq(operator: FakeOperator, clock: FakeClock) -> None:
    operator.script[INFO] = [Ret.BUSY]
    async with make_client(operator.transport(), clock) as client:
        await client.query_stations_info()
    assert [seen.seq for seen in operator.calls(INFO)] == ["0002", "0003"]


async def test_stations_info_pages_and_sends_local_last_query_time(
    operator: FakeOperator, clock: FakeClock
) -> None:
    async with make_client(operator.transport(), clock) as client:
        page = await client.query_stations_info(last_query_time=T0, page_no=3, page_size=3)
    assert (page.page_no, page.page_count, page.item_size) == (3, 3, 7)
    assert [info.station_id for info in page.station_infos] == ["S0007"]
    assert operator.calls(INFO)[0].payload == {
        "LastQueryTime": "2024-05-01 10:00:00",
        "PageNo": 3,
        "PageSize": 3,
    }


async def test_station_stats_round_trip(operator: FakeOperator, clock: FakeClock) -> None:
    async with make_client(operator.transport(), clock) as client:
        answer = await client.query_station_stats("S0002", date(2024, 4, 1), date(2024, 4, 30))
    stats = answer.station_stats
    assert (stats.station_id, stats.start_time, stats.end_time) == (
        "S0002",
        date(2024, 4, 1),
        date(2024, 4, 30),
    )
    assert stats.station_electricity == Decimal("123.4")


async def test_notify_pushes_a_wire_model(operator: FakeOperator, clock: FakeClock) -> None:
    push = NotificationStationStatusRequest(
        connector_status_info=[ConnectorStatusInfo(connector_id="S0001-1", status=3)]
    )
    async with make_client(operator.transport(), clock) as client:
        answer = await client.notify("notification_stationStatus", push)
    assert answer == {"Status": 0}
    [seen] = operator.calls("notification_stationStatus")
    assert seen.payload == {"ConnectorStatusInfo": {"ConnectorID": "S0001-1", "Status": 3}}


# --- secrets, logs, arguments -------------------------------------------------------------------


async def test_secrets_never_appear_in_reprs_errors_or_logs(
    operator: FakeOperator, clock: FakeClock
) -> None:
    errors: list[FeedError] = []
    # ok; bad Sig; 503 retried into a redirect; ok; then a client with a wrong secret.
    transport = faulty(operator, Fault.NONE, Fault.BAD_SIG, Fault.SERVER_ERROR, Fault.REDIRECT)
    limits = ClientLimits(attempts=2, backoff_jitter=0.0)
    with structlog.testing.capture_logs() as logs:
        async with make_client(transport, clock, limits=limits) as client:
            texts = [repr(client), str(client)]
            for _ in range(4):
                try:
                    await client.query_stations_info()
                except FeedError as error:
                    errors.append(error)
        async with make_client(operator.transport(), clock, operator_secret="0" * 32) as bad:
            try:
                await bad.query_stations_info()
            except FeedError as error:
                errors.append(error)

    assert texts[0] == f"TcecClient(base_url={BASE_URL!r}, operator_id={HUB_ID!r})"
    assert [type(error) for error in errors] == [
        FeedProtocolError,
        FeedTransportError,
        FeedProtocolError,
    ]
    assert "stamina.retry_scheduled" in {entry["event"] for entry in logs}  # its lines too
    texts += [str(error) for error in errors] + [repr(error) for error in errors]
    texts += [repr(entry) for entry in logs]
    for secret in (*SECRET_TEXTS, "0" * 32, *operator.issued):
        assert not any(secret in text for text in texts), secret
    assert not any("S0001" in repr(entry) for entry in logs)  # no payloads either


async def test_one_log_line_per_call(operator: FakeOperator, clock: FakeClock) -> None:
    operator.script[INFO] = [Ret.BUSY, Ret.BUSY]
    async with make_client(operator.transport(), clock) as client:
        with structlog.testing.capture_logs() as logs:
            await client.query_stations_info()
    calls = [entry for entry in logs if entry["event"].startswith("tcec.call")]
    assert [(entry["interface"], entry["attempts"], entry["ret"]) for entry in calls] == [
        ("query_token", 1, 0),
        (INFO, 3, 0),
    ]
    assert all(isinstance(entry["elapsed_ms"], float) for entry in calls)


async def test_failed_call_is_logged_with_its_reason(
    operator: FakeOperator, clock: FakeClock
) -> None:
    operator.script[INFO] = [Ret.BAD_DATA]
    async with make_client(operator.transport(), clock) as client:
        with structlog.testing.capture_logs() as logs, pytest.raises(FeedProtocolError):
            await client.query_stations_info()
    [failed] = [entry for entry in logs if entry["event"] == "tcec.call_failed"]
    assert (failed["interface"], failed["ret"], failed["error"]) == (
        INFO,
        4004,
        "FeedProtocolError",
    )
    assert failed["log_level"] == "warning"


async def test_errors_pickle_with_their_attributes() -> None:
    protocol = FeedProtocolError("x: peer answered", ret=4004, msg="bad\nfield", fail_reason=None)
    transport = FeedTransportError("x: HTTP 503", retryable=True, status_code=503, retry_after=1.0)
    rejected = FeedRejected("x: not mappable", payload={"a": 1})
    for error in (protocol, transport, rejected):
        copy = pickle.loads(pickle.dumps(error))
        assert (type(copy), str(copy), vars(copy)) == (type(error), str(error), vars(error))
    assert protocol.msg == "bad field"  # control characters never reach a log line
    assert "'a'" not in repr(rejected)
    assert "'a'" not in str(rejected)


@pytest.mark.parametrize(
    "base_url",
    ["http://operator.test/evcs/v1", "ftp://operator.test/", "http://u:p@operator.test/evcs/"],
)
async def test_base_url_is_checked(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url") as info:
        TcecClient(base_url=base_url, operator_id=HUB_ID, secrets=SECRETS, operator_secret="s")
    assert "u:p" not in str(info.value)


@pytest.mark.parametrize("interface", ["query_token", "../admin", "a/b", "", "x?y=1"])
async def test_interface_names_are_checked(
    operator: FakeOperator, clock: FakeClock, interface: str
) -> None:
    async with make_client(operator.transport(), clock) as client:
        with pytest.raises(ValueError, match="interface"):
            await client.call(interface, {})
    assert operator.requests == []


async def test_station_ids_as_one_string_are_refused(
    operator: FakeOperator, clock: FakeClock
) -> None:
    async with make_client(operator.transport(), clock) as client:
        with pytest.raises(TypeError):
            await client.query_station_status("S0001")


async def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="attempts"):
        ClientLimits(attempts=0)
    with pytest.raises(ValueError, match="backoff"):
        ClientLimits(backoff_jitter=-1)
