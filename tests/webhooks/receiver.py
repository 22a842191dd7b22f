"""A real HTTP receiver on loopback for webhook tests: a small ASGI app under uvicorn that
records every request and answers what the test tells it to."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from tests.fixtures.serving import serving


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, object]:
        value: dict[str, object] = orjson.loads(self.body)
        return value

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


Answer = tuple[int, dict[str, str], bytes]
OK: Answer = (200, {}, b"ok")


@dataclass
class Receiver:
    """`answer` decides each response; `delay` holds it back and `drip` trickles it out."""

    answer: Callable[[Received], Answer] = lambda _request: OK
    delay: float = 0.0
    drip: float = 0.0  # seconds between the bytes of the answer
    requests: list[Received] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        body = await Request(scope, receive).body()
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        request = Received(scope["path"], headers, body)
        if self.delay:
            await asyncio.sleep(self.delay)
        self.requests.append(request)
        status, extra, content = self.answer(request)
        await send({
            "type": "http.response.start", "status": status,
            "headers": [(k.encode(), v.encode()) for k, v in extra.items()],
        })  # fmt: skip
        if self.drip:  # a byte at a time, each well within httpx's read timeout
            for byte in content:
                await send({"type": "http.response.body", "body": bytes([byte]),
                            "more_body": True})  # fmt: skip
                await asyncio.sleep(self.drip)
        await send({"type": "http.response.body", "body": content if not self.drip else b""})

    def ids(self) -> list[str]:
        return [request.webhook_id for request in self.requests]


__all__ = ["Answer", "OK", "Received", "Receiver", "serving"]
