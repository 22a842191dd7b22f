"""What a resolver knows about its request: who asks, the process's services, its loaders."""

from __future__ import annotations

from typing import Any

from strawberry.fastapi import BaseContext
from strawberry.types import Info

from app.auth.principal import Principal
from app.context import AppContext
from app.graphql.loaders import Loaders


class GraphQLContext(BaseContext):
    """One per HTTP request, or per WebSocket connection (principal set at connection_init).

    Loaders live here, never at module level: a loader caches what it loaded, and a cache
    shared across requests would serve one area's rows to another.
    """

    def __init__(
        self,
        app: AppContext,
        principal: Principal | None = None,
        *,
        token: str | None = None,
        expires_at: float = 0.0,
    ) -> None:
        super().__init__()
        self.app = app
        self.token = token
        self.expires_at = expires_at
        self.principal = principal
        self._loaders: Loaders | None = None

    @property
    def loaders(self) -> Loaders:
        if self._loaders is None:
            self._loaders = Loaders(self.app.database, self.caller)
        return self._loaders

    @property
    def caller(self) -> Principal:
        # Fields check their scope before resolving, so a resolver always has a principal.
        assert self.principal is not None, "resolved without an authenticated caller"
        return self.principal


GraphQLInfo = Info[GraphQLContext, Any]
