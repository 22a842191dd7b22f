"""A fault-injecting httpx transport for the upstream feed (S&R reference §4.4).

`FaultyTransport` wraps an inner transport (usually an `httpx.MockTransport` fake peer) and
replaces some matching requests' outcome with a fault: scripted (a list consumed in order),
seeded-random (`rate` and `seed`), or both (the script first). It works with any httpx
client, needs no sockets, and records what it did in `injected`.

    transport = FaultyTransport(fake.transport(), script=[Fault.SERVER_ERROR, Fault.CONNECT_ERROR])
    transport = FaultyTransport(inner, seed=7, rate=0.3, choices=RETRYABLE,
                                match=except_interfaces("query_token"))

Only SLOW_DRIP and HANG take real time (`drip_interval`, `hang_seconds`); keep them short.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from enum import StrEnum

import httpx


class Fault(StrEnum):
    NONE = "none"  # pass the request through untouched
    SERVER_ERROR = "server_error"  # `status_code` (503) with `Retry-After`, peer not called
    CONNECT_ERROR = "connect_error"  # httpx.ConnectError, peer not called
    READ_TIMEOUT = "read_timeout"  # httpx.ReadTimeout at once, after the peer handled it
    HANG = "hang"  # sleeps `hang_seconds`, then httpx.ReadTimeout
    RESET_MID_BODY = "reset_mid_body"  # half the real body, then httpx.ReadError
    REDIRECT = "redirect"  # 302 to `redirect_to`, peer not called
    SLOW_DRIP = "slow_drip"  # the real body, `drip_bytes` per `drip_interval`
    GIANT_BODY = "giant_body"  # 200 with an endless body (or `giant_total` bytes)
    GARBAGE_BODY = "garbage_body"  # 200 with an HTML error page
    TRUNCATED_JSON = "truncated_json"  # 200 with the first half of the real body
    BAD_SIG = "bad_sig"  # the real response with one Sig digit changed


# Faults a well-behaved client retries (and then succeeds, if the peer recovers).
RETRYABLE: tuple[Fault, ...] = (
    Fault.SERVER_ERROR,
    Fault.CONNECT_ERROR,
    Fault.READ_TIMEOUT,
    Fault.RESET_MID_BODY,
)
# Faults that are a definite failure of the call.
FATAL: tuple[Fault, ...] = (
    Fault.REDIRECT,
    Fault.GIANT_BODY,
    Fault.GARBAGE_BODY,
    Fault.TRUNCATED_JSON,
    Fault.BAD_SIG,
)

GARBAGE = b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"


def interface_of(request: httpx.Request) -> str:
    """The T/CEC interface name: the last path segment."""
    return request.url.path.rsplit("/", 1)[-1]


def only_interfaces(*names: str) -> Callable[[httpx.Request], bool]:
    return lambda request: interface_of(request) in names


def except_interfaces(*names: str) -> Callable[[httpx.Request], bool]:
    return lambda request: interface_of(request) not in names


class _Body(httpx.AsyncByteStream):
    """A response body from an async generator, closed explicitly when the client stops."""

    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            yield chunk

    async def aclose(self) -> None:
        aclose = getattr(self._chunks, "aclose", None)
        if aclose is not None:
            await aclose()


class FaultyTransport(httpx.AsyncBaseTransport):
    """Wraps `inner`; see the module docstring."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        script: Iterable[Fault] = (),
        seed: int | None = None,
        rate: float = 0.0,
        choices: Sequence[Fault] = RETRYABLE,
        match: Callable[[httpx.Request], bool] = lambda request: True,
        status_code: int = 503,
        retry_after: str | None = "1",
        redirect_to: str = "http://169.254.169.254/latest/meta-data/",
        drip_interval: float = 0.05,
        drip_bytes: int = 1,
        giant_chunk: int = 64 * 1024,
        giant_total: int | None = None,
        hang_seconds: float = 60.0,
    ) -> None:
        self.inner = inner
        self.script: deque[Fault] = deque(script)
        self.random = random.Random(seed)
        self.rate = rate
        self.choices = tuple(choices)
        self.match = match
        self.status_code = status_code
        self.retry_after = retry_after
        self.redirect_to = redirect_to
        self.drip_interval = drip_interval
        self.drip_bytes = drip_bytes
        self.giant_chunk = giant_chunk
        self.giant_total = giant_total
        self.hang_seconds = hang_seconds
        self.injected: list[tuple[str, Fault]] = []  # (interface, fault) per matched request
        self.bytes_served = 0  # by GIANT_BODY and SLOW_DRIP bodies

    def next_fault(self) -> Fault:
        if self.script:
            return self.script.popleft()
        if self.rate and self.random.random() < self.rate:
            return self.random.choice(self.choices)
        return Fault.NONE

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.match(request):
            return await self.inner.handle_async_request(request)
        fault = self.next_fault()
        self.injected.append((interface_of(request), fault))
        if fault is Fault.NONE:
            return await self.inner.handle_async_request(request)
        if fault is Fault.CONNECT_ERROR:
            raise httpx.ConnectError("injected: connection refused", request=request)
        if fault is Fault.SERVER_ERROR:
            headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            return httpx.Response(self.status_code, headers=headers, text="busy")
        if fault is Fault.REDIRECT:
            return httpx.Response(302, headers={"Location": self.redirect_to})
        if fault is Fault.GARBAGE_BODY:
            return httpx.Response(200, headers={"Content-Type": "text/html"}, content=GARBAGE)
        if fault is Fault.GIANT_BODY:
            return httpx.Response(200, stream=_Body(self._giant()))
        if fault is Fault.HANG:
            await asyncio.sleep(self.hang_seconds)
            raise httpx.ReadTimeout("injected: hung", request=request)
        body = await self._real_body(request)
        if fault is Fault.READ_TIMEOUT:
            raise httpx.ReadTimeout("injected: read timed out", request=request)
        if fault is Fault.TRUNCATED_JSON:
            return httpx.Response(200, content=body[: len(body) // 2])
        if fault is Fault.BAD_SIG:
            return httpx.Response(200, content=_tamper_sig(body))
        if fault is Fault.SLOW_DRIP:
            return httpx.Response(200, stream=_Body(self._drip(body)))
        return httpx.Response(200, stream=_Body(self._reset(body, request)))  # RESET_MID_BODY

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def _real_body(self, request: httpx.Request) -> bytes:
        response = await self.inner.handle_async_request(request)
        try:
            return await response.aread()
        finally:
            await response.aclose()

    async def _giant(self) -> AsyncIterator[bytes]:
        chunk = b" " * self.giant_chunk
        while self.giant_total is None or self.bytes_served < self.giant_total:
            self.bytes_served += len(chunk)
            yield chunk
            await asyncio.sleep(0)  # let cancellation in, like a real socket would

    async def _drip(self, body: bytes) -> AsyncIterator[bytes]:
        for start in range(0, len(body), self.drip_bytes):
            await asyncio.sleep(self.drip_interval)
            piece = body[start : start + self.drip_bytes]
            self.bytes_served += len(piece)
            yield piece

    async def _reset(self, body: bytes, request: httpx.Request) -> AsyncIterator[bytes]:
        yield body[: len(body) // 2]
        raise httpx.ReadError("injected: connection reset", request=request)


def _tamper_sig(body: bytes) -> bytes:
    envelope = json.loads(body)
    sig = str(envelope.get("Sig", ""))
    first = "1" if sig[:1] != "1" else "2"
    envelope["Sig"] = first + sig[1:]
    return json.dumps(envelope).encode("utf-8")
