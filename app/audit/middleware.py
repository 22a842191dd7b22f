"""The audit log's one entry point: every authenticated write, and every read a route
marked (session-level data), is recorded after the route has answered.

Request bodies are never recorded (they may hold secrets: client registrations, operator
onboarding); the route, its path and query parameters, the status and the row count are.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.audit.marks import AUDIT_ROWS
from app.auth.deps import resolved_principal
from app.core.db import Database
from app.models import AuditRecord

log = structlog.get_logger(__name__)
_READS = {"GET", "HEAD", "OPTIONS"}


class AuditMiddleware:
    def __init__(self, app: ASGIApp, *, database: Database) -> None:
        self.app, self.database = app, database

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def keep_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, keep_status)
        finally:
            principal = resolved_principal(scope)
            if principal is not None and (scope["method"] not in _READS or AUDIT_ROWS in scope):
                await self._record(scope, status)

    async def _record(self, scope: Scope, status: int) -> None:
        principal = resolved_principal(scope)
        assert principal is not None
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
        parameters = {"query": dict(query), "path": dict(scope.get("path_params", {}))}
        try:
            async with self.database.session(write=True) as session:
                session.add(
                    AuditRecord(
                        client_id=principal.subject, tier=principal.tier.value,
                        area_code=principal.area_code, area_path=principal.area_path,
                        method=scope["method"], route=scope["path"][:200],
                        parameters=parameters, status_code=status,
                        row_count=scope.get(AUDIT_ROWS),
                    )
                )  # fmt: skip
        except Exception:  # the answer is sent; a lost audit line must at least be loud
            log.exception("audit record not written", path=scope["path"])
