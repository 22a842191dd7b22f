"""Domain errors rendered as RFC 9457 problems.

AppError
├── BadRequest          400  (malformed cursor, unparseable input)
├── Unauthorized        401  (no, bad, expired or revoked access token; WWW-Authenticate)
├── Forbidden           403  (a valid token without the route's scope)
├── NotFound            404  (unknown or out-of-area object: never 403, so nothing leaks)
├── Conflict            409
├── Unprocessable       422  (request validation only, never business rules)
├── TooManyRequests     429  (a client's rate limit; Retry-After)
└── DatabaseUnavailable 503  (the database is down, restarting, locked or full; Retry-After)
"""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(
        self, detail: str, *, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
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


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(AppError):
    status = 403
    code = "insufficient-scope"
    title = "Insufficient scope"


class TooManyRequests(AppError):
    status = 429
    code = "rate-limited"
    title = "Too many requests"


class DatabaseUnavailable(AppError):
    """The database cannot be reached or written now; nothing was changed."""

    status = 503
    code = "database-unavailable"
    title = "Service unavailable"
    # The pool and connections give up after 2 s, and PostgreSQL restarts in about as long.
    RETRY_AFTER_SECONDS = 2

    def __init__(self) -> None:
        super().__init__(
            "The database cannot be reached now; nothing was changed. Retry shortly.",
            headers={"Retry-After": str(self.RETRY_AFTER_SECONDS)},
        )
