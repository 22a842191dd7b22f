"""The WebSocket protocol uvicorn runs for the app: websockets' sans-I/O implementation (the
one uvicorn picks by default), with each connection's writes of one event-loop turn sent in
one socket write.

uvicorn writes every ASGI message to the socket as it is sent: a send() call (and, over
loopback, the reader's wake-up) per message, most of what a subscription message costs once
its answer is rendered once for all subscribers (app.graphql.prerendered). A subscriber handed
twenty new events sends twenty messages in one go; they are held until the end of the loop
turn (call_soon: no timer, nothing waits for more) and written together.

Per-message compression is off (UVICORN_WEBSOCKET): subscription messages are a few hundred
bytes, and deflate runs per connection, so it cannot be shared by 1,000 subscribers of the
same event.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

# uvicorn.run / uvicorn.Config keywords for every server of the app.
UVICORN_WEBSOCKET: dict[str, Any] = {
    "ws": "app.core.websocket:CoalescingWebSocketProtocol",
    "ws_per_message_deflate": False,
    # Event streams and subscriptions stay open until their token expires (minutes): a stop
    # would wait for them. Clients resume from their last event id, so cutting them is safe.
    "timeout_graceful_shutdown": 5,
}


class CoalescingWebSocketProtocol(WebSocketsSansIOProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        coalescing = _CoalescingTransport(cast(asyncio.Transport, transport), self.loop)
        super().connection_made(cast(asyncio.Transport, coalescing))


class _CoalescingTransport:
    """Holds writes until the end of the loop turn, then writes them at once; everything
    else goes to the real transport (closing sends what is held first)."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._held: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._held:
            self._loop.call_soon(self._flush)
        self._held.append(data)

    def _flush(self) -> None:
        if self._held:
            held, self._held = self._held, []
            if not self._transport.is_closing():
                self._transport.writelines(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
