"""`/graphql`: POST for queries and mutations, graphql-transport-ws for subscriptions.

POST is served here rather than by strawberry's view: it authenticates like every REST
route (401/429 as problem+json), answers repeated queries from the response cache before
anything is parsed, and tells the audit log when an operation was a mutation. GET queries
and batching are refused; strawberry's router serves the WebSocket (graphql-transport-ws
only: the legacy protocol had an authentication bypass) and, in development, GraphiQL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from graphql import GraphQLError, OperationDefinitionNode, OperationType, get_operation_ast, parse
from starlette.requests import ClientDisconnect, HTTPConnection
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.types.unset import UnsetType

from app.auth.deps import (
    bearer_token,
    charge_rate,
    mark_audited,
    verify_access_token,
)
from app.context import AppContext, app_context
from app.core.config import Environment, Settings
from app.core.db import database_unavailable
from app.core.errors import AppError, BadRequest, DatabaseUnavailable
from app.core.metrics import GRAPHQL_CACHE
from app.graphql.cache import ResponseCache, cache_key
from app.graphql.context import GraphQLContext
from app.graphql.prerendered import OUTLET, Answers, Outlet
from app.graphql.schema import PileHubSchema, build_schema

PATH = "/graphql"
_JSON = "application/json"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload-too-large"
    title = "Payload too large"


class GraphQLHTTP:
    """The POST handler: authenticate, answer from cache, else execute (and maybe cache)."""

    def __init__(self, schema: PileHubSchema, settings: Settings) -> None:
        self.schema, self.settings = schema, settings
        self.cache = ResponseCache(settings.graphql_cache_entries)

    async def __call__(self, request: Request) -> Response:
        context = app_context(request)
        token = bearer_token(request)
        verified = await verify_access_token(request, token)
        principal = verified.principal
        charge_rate(request, principal)
        query, variables, operation, variables_key = _read_request(
            await _body(request, self.settings.graphql_max_body)
        )
        key = cache_key(principal, query, variables_key, operation)
        version = await context.snapshots.latest_version(context.database)
        cached = await self.cache.get(context.database, key, version)
        if cached is not None:
            GRAPHQL_CACHE.labels("hit").inc()
            return Response(cached, media_type=_JSON)
        GRAPHQL_CACHE.labels("miss").inc()
        try:
            kind = _operation_type(query, operation, self.settings.graphql_max_tokens)
        except GraphQLError as error:
            return _answer({"errors": [error.formatted]})
        if kind is OperationType.SUBSCRIPTION:
            raise BadRequest("Subscriptions are served over WebSocket (graphql-transport-ws).")
        if kind is OperationType.MUTATION:
            mark_audited(request, principal)
        result = await self.schema.execute(
            query,
            variable_values=variables,
            operation_name=operation,
            context_value=GraphQLContext(
                context, principal, token=token, expires_at=verified.expires_at
            ),
        )
        if result.errors and any(
            error.original_error is not None and database_unavailable(error.original_error)
            for error in result.errors
        ):
            raise DatabaseUnavailable()  # a 503 the dashboard retries, not data with holes
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [error.formatted for error in result.errors]
        response = _answer(answer)
        if kind is OperationType.QUERY and not result.errors:
            self.cache.put(key, version, principal.area_path, bytes(response.body))
        return response


async def _body(request: Request, limit: int) -> bytes:
    if not request.headers.get("content-type", "").startswith(_JSON):
        raise BadRequest("Send the operation as application/json.")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"A GraphQL request is at most {limit} bytes.")
    body = b""
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise PayloadTooLarge(f"A GraphQL request is at most {limit} bytes.")
    except ClientDisconnect:  # gone mid-body (a load generator stopping): nobody to answer
        raise BadRequest("The client went away before sending the whole request.") from None
    return body


def _read_request(body: bytes) -> tuple[str, dict[str, Any] | None, str | None, bytes]:
    """(query, variables, operationName, canonical variables) of one operation."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("The body is not JSON.") from None
    if isinstance(payload, list):
        raise BadRequest("Batched operations are not accepted; send one per request.")
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        raise BadRequest("The body must be an object with a `query` string.")
    variables, operation = payload.get("variables"), payload.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest("`variables` must be an object.")
    if operation is not None and not isinstance(operation, str):
        raise BadRequest("`operationName` must be a string.")
    canonical = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS) if variables else b""
    return payload["query"], variables, operation, canonical


def _operation_type(query: str, operation: str | None, max_tokens: int) -> OperationType:
    """What the document would run; parsing stops at the token limit. A document that names no
    runnable operation is a request error (GraphQL over HTTP), answered here: execution would
    raise instead of answering one."""
    document = parse(query, max_tokens=max_tokens)
    definition = get_operation_ast(document, operation)
    if definition is not None:
        return definition.operation
    if operation is not None:
        raise GraphQLError(f"Unknown operation named '{operation}'.")
    if any(isinstance(d, OperationDefinitionNode) for d in document.definitions):
        raise GraphQLError("Must provide operation name if query contains multiple operations.")
    raise GraphQLError("The document contains no operation to run.")


def _answer(payload: dict[str, Any]) -> Response:
    return Response(orjson.dumps(payload), media_type=_JSON)


class TransportWSHandler(BaseGraphQLTransportWSHandler[GraphQLContext, None]):
    """strawberry's graphql-transport-ws handler, telling each operation's task where its
    messages go, so a subscription can send answers rendered once for all its subscribers
    (app.graphql.prerendered)."""

    async def run_operation(self, operation: Operation[GraphQLContext, None]) -> None:
        # The operation runs in a task of its own: this value is seen by its resolver only.
        request, view = self.context.request, self.view
        if isinstance(request, WebSocket) and isinstance(view, SubscriptionRouter):
            OUTLET.set(Outlet(operation.id, request, view.answers))
        await super().run_operation(operation)


class SubscriptionRouter(GraphQLRouter[GraphQLContext, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answers = Answers()  # per app, not per process: event ids are per database

    async def on_ws_connect(self, context: GraphQLContext) -> UnsetType:
        """`connection_init` carries the token ({"Authorization": "Bearer ..."}); without a
        valid one the socket closes with 4403 before any subscription starts."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("Authorization") or params.get("authorization") or ""
        scheme, _, token = str(header).partition(" ")
        connection = context.request
        assert connection is not None  # strawberry sets the socket before this hook
        try:
            verified = await verify_access_token(
                connection, token.strip() if scheme.lower() == "bearer" else None
            )
            charge_rate(connection, verified.principal)
        except AppError as error:
            raise ConnectionRejectionError({"message": error.detail}) from None
        context.principal, context.token = verified.principal, token.strip()
        context.expires_at = verified.expires_at
        return UnsetType()  # the UNSET singleton: a plain connection_ack


def install_graphql(app: FastAPI, context: AppContext) -> None:
    settings = context.settings
    schema = build_schema(settings)
    handler = GraphQLHTTP(schema, settings)
    app.state.graphql = handler
    http = APIRouter(tags=["graphql"])
    # Outside the OpenAPI document: its contract is openapi/schema.graphql.
    http.add_api_route(PATH, handler, methods=["POST"], include_in_schema=False)
    app.include_router(http)

    async def websocket_context(connection: HTTPConnection) -> GraphQLContext:
        return GraphQLContext(app_context(connection))

    development = settings.env is Environment.DEVELOPMENT
    subscriptions = SubscriptionRouter(
        schema,
        path=PATH,
        graphql_ide="graphiql" if development else None,
        allow_queries_via_get=False,
        context_getter=websocket_context,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=5),
        max_subscriptions_per_connection=settings.graphql_max_subscriptions,
        include_in_schema=False,
        tags=["graphql"],
    )
    app.state.graphql_answers = subscriptions.answers  # what was rendered once (and tests)
    app.include_router(subscriptions)
