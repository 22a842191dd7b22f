"""Structured logs: JSON lines in production, readable lines in the demo.

Every line carries the request id bound by `RequestIdMiddleware` (structlog contextvars),
and the standard library's loggers (uvicorn, alembic) go through the same renderer.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = b"x-request-id"
_access = structlog.get_logger("pilehub.access")


def configure_logging(*, level: str = "INFO", json: bool = False, cache: bool = True) -> None:
    """Route structlog and the standard library through one renderer.

    `cache` freezes each logger's configuration on first use (faster); tests that capture
    logs later in the same process pass False.
    """
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=cache,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if json else _identity,
            renderer,
        ],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's own access log would duplicate ours and lacks the request id.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    # Migration chatter and httpx's line per request are noise at INFO; keep them for DEBUG.
    for chatty in ("alembic", "httpx"):
        logging.getLogger(chatty).setLevel(max(root.level, logging.WARNING))
    # authlib logs every token it issues, in full, at DEBUG: tokens never go to the logs.
    logging.getLogger("authlib").setLevel(max(root.level, logging.INFO))


def _identity(_logger: Any, _name: str, event: Any) -> Any:
    return event


class RequestIdMiddleware:
    """Binds a request id (taken from X-Request-ID when sane) and logs one access line.

    A plain ASGI middleware: it runs on every poll of every dashboard, so it does the least
    it can (no Request object, no header parsing beyond the one it needs).
    """

    def __init__(self, app: ASGIApp, *, access_log: bool = True) -> None:
        self.app = app
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or os.urandom(16).hex()
        header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.access_log:
                _access.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.reset_contextvars(**tokens)


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            # Echo a caller's id only if it cannot inject anything into logs or headers.
            if 0 < len(candidate) <= 64 and all(
                (c.isascii() and c.isalnum()) or c in "-_." for c in candidate
            ):
                return candidate
    return None
