"""RFC 9457 problem+json responses for every error the API returns."""

from __future__ import annotations

from typing import Any

import orjson
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.core.db import database_unavailable
from app.core.errors import AppError, DatabaseUnavailable

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://pilehub.dev/problems/"

log = structlog.get_logger(__name__)


class ProblemDetails(BaseModel):
    """An RFC 9457 problem document, with a stable machine-readable `code`."""

    type: str = Field(examples=[PROBLEM_BASE + "not-found"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str
    errors: list[dict[str, Any]] | None = None


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
    }
    body.update(extensions)
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def problem_responses(
    *statuses: int, ok: tuple[type[BaseModel], str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries so that a route's problems appear in openapi.json.

    `ok` documents a 200 body for routes that return pre-rendered bytes.
    """
    responses: dict[int | str, dict[str, Any]] = {
        status: {"model": ProblemDetails, "content": {PROBLEM_MEDIA_TYPE: {}}}
        for status in statuses
    }
    if ok is not None:
        model, media_type = ok
        responses[200] = {"model": model, "content": {media_type: {}}}
    return responses


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Keep location, message and type; the rejected input itself is not echoed back.
    return [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return problem_response(
            request,
            status=exc.status,
            code=exc.code,
            title=exc.title,
            detail=exc.detail,
            headers=exc.headers,
            **exc.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return problem_response(
            request,
            status=422,
            code="validation-error",
            title="Request validation failed",
            detail="One or more request parameters are invalid.",
            errors=_validation_errors(exc),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem_response(
            request,
            status=exc.status_code,
            code=code,
            title=str(exc.detail) if exc.detail else "HTTP error",
            detail=None,
            headers=dict(exc.headers) if exc.headers else None,
        )

    # The database's errors are handled as such (not by the catch-all, which answers and then
    # re-raises to the server): an outage is a 503 the client can act on, not a traceback.
    @app.exception_handler(SQLAlchemyError)
    @app.exception_handler(OSError)
    async def _database(request: Request, exc: Exception) -> Response:
        if not database_unavailable(exc):
            return await _unexpected(request, exc)
        log.warning("database unavailable", path=request.url.path, error=type(exc).__name__)
        return await _app_error(request, DatabaseUnavailable())

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", path=request.url.path)
        return problem_response(
            request,
            status=500,
            code="internal-error",
            title="Internal error",
            detail="The server could not complete the request.",
        )
