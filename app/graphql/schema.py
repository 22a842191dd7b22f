"""The schema, its limits and the committed SDL contract (openapi/schema.graphql).

Limits run while the document is parsed and validated, so a refused query never reaches a
resolver. Batching stays off (strawberry's default), queries over GET are refused by the
router, introspection and the IDE exist only in development, and unexpected errors are
masked in production.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
import structlog
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from app.core.config import Environment, Settings
from app.graphql.errors import ProblemCodes, is_client_error
from app.graphql.mutation import Mutation
from app.graphql.query import Query
from app.graphql.scalars import SCALARS
from app.graphql.subscription import Subscription

log = structlog.get_logger(__name__)


class PileHubSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # A caller's bad query is its answer, not a fault of the hub: only the rest is logged.
        for error in errors:
            if not is_client_error(error):
                log.error("graphql resolver failed", path=error.path, exc_info=error.original_error)


def build_schema(settings: Settings) -> PileHubSchema:
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        # Factories, not instances: an instance shared by concurrent requests leaks state.
        lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
        lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        ProblemCodes,
    ]
    if settings.env is not Environment.DEVELOPMENT:
        extensions.append(DisableIntrospection)
    if settings.env is Environment.PRODUCTION:
        extensions.append(lambda: MaskErrors(should_mask_error=_unexpected))
    return PileHubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        config=StrawberryConfig(scalar_map=SCALARS),
    )


def _unexpected(error: GraphQLError) -> bool:
    return not is_client_error(error)


def render_sdl(schema: Any | None = None) -> str:
    """The schema as SDL, the same on every machine (the committed contract)."""
    rendered = (schema or build_schema(Settings(env=Environment.DEVELOPMENT))).as_str()
    return str(rendered).rstrip("\n") + "\n"
