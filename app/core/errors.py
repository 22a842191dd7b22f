"""Domain errors rendered as RFC 9457 problems.

AppError
├── BadRequest          400  (malformed cursor, unparseable input)
├── NotFound            404  (unknown or out-of-area object: never 403, so nothing leaks)
├── Conflict            409
└── Unprocessable       422  (request validation only, never business rules)
"""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class BadRequest(AppError):
    status = 400
    code = "bad-request"
    title = "Bad request"


class NotFound(AppError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(AppError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Unprocessable(AppError):
    status = 422
    code = "validation-error"
    title = "Request validation failed"
