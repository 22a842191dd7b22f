"""One POST to a vetted target: the connection goes to the checked address, redirects are
never followed, time and response size are bounded, and the answer becomes an `Attempt`."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from app.webhooks.ssrf import Network, Resolver, UnsafeTarget, vet


@dataclass(frozen=True, slots=True)
class Attempt:
    """How a send went. `reason` labels failures (metrics, last_error)."""

    ok: bool
    status: int | None = None
    reason: str | None = None
    detail: str = ""
    retry_after: str | None = None
    body: bytes = b""

    @property
    def gone(self) -> bool:
        return self.status == 410


def failed(reason: str, detail: str, status: int | None = None) -> Attempt:
    return Attempt(ok=False, status=status, reason=reason, detail=detail[:250])


async def post(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allowed: Sequence[Network],
    resolve: Resolver | None,
    max_bytes: int,
    deadline: float,
) -> Attempt:
    """POST `body` within `deadline` seconds; 2xx is success, anything else (3xx included)
    a failure."""
    try:  # again at send time: the name may resolve elsewhere now (DNS rebinding)
        target = await vet(url, allowed=allowed, resolve=resolve)
    except UnsafeTarget as exc:
        return failed("unsafe_target", f"unsafe target: {exc}")
    pinned_url, host, extensions = target.pinned()
    request = client.build_request(
        "POST", pinned_url, content=body, extensions=extensions,
        headers={**headers, **host, "content-type": "application/json"},
    )  # fmt: skip
    try:
        # httpx's timeout bounds each phase; this bounds the whole exchange (a slow drip).
        async with asyncio.timeout(deadline):
            response = await client.send(request, stream=True, follow_redirects=False)
            try:
                data = await _read_capped(response, max_bytes)
            finally:
                await response.aclose()
    except (httpx.TimeoutException, TimeoutError):
        return failed("timeout", "timed out")
    except httpx.HTTPError as exc:
        return failed("connection", f"{type(exc).__name__}: {exc}")
    status = response.status_code
    if 200 <= status < 300:
        return Attempt(ok=True, status=status, body=data)
    reason = "redirect" if 300 <= status < 400 else "gone" if status == 410 else f"http_{status}"
    return Attempt(
        ok=False, status=status, reason=reason, detail=f"HTTP {status}",
        retry_after=response.headers.get("retry-after"), body=data,
    )  # fmt: skip


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    data = bytearray()
    async for chunk in response.aiter_bytes():
        data += chunk
        if len(data) >= max_bytes:  # the rest is not ours to read
            break
    return bytes(data[:max_bytes])
