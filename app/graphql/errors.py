"""How errors reach a GraphQL client: the caller's own mistakes say what and why (with the
code and status REST would give); anything unexpected is masked in production and logged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from app.core.errors import AppError


def is_client_error(error: GraphQLError) -> bool:
    """Validation, permission and domain errors: shown as they are, never logged as faults.
    An error without a path was raised before any resolver ran (parsing, validation, the
    coercion of an argument), so it is about the document."""
    original = error.original_error
    return (
        error.path is None
        or original is None
        or isinstance(original, AppError)
        or bool(error.extensions)
    )


class ProblemCodes(SchemaExtension):
    """Adds `extensions.code` / `status` to domain errors (the RFC 9457 code of REST), in
    answers and in each result of a subscription."""

    def on_operation(self) -> Iterator[None]:
        yield
        _add_codes(getattr(self.execution_context.result, "errors", None))

    def on_stream_result(self, result: Any) -> Iterator[None]:
        _add_codes(getattr(result, "errors", None))
        yield None


def _add_codes(errors: list[GraphQLError] | None) -> None:
    for error in errors or ():
        original = error.original_error
        if isinstance(original, AppError):
            error.extensions = {
                **(error.extensions or {}),
                "code": original.code,
                "status": original.status,
            }
