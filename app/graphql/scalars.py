"""Custom scalars that reject bad input while the query is validated, before any resolver.

A bad page size, cursor or area code is a client error of the document (no `path` in the
error), never an error raised inside a resolver.
"""

from __future__ import annotations

import re
from typing import Any, NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from app.core.errors import BadRequest
from app.core.pagination import MAX_LOG_ID, MAX_REGISTRY_ID, decode_cursor, encode_cursor
from app.jurisdictions.schemas import AREA_PATTERN

# A page is at most this long on every list. A whole big screen of 1,000 piles fits one page.
MAX_PAGE_SIZE = 1000

PageSize = NewType("PageSize", int)
# The id a page continues after, opaque on the wire: registry lists (32-bit keys) and log
# lists (64-bit) have their own, so a cursor no column can hold never reaches the database.
Cursor = NewType("Cursor", int)
LogCursor = NewType("LogCursor", int)
AreaCode = NewType("AreaCode", str)
EventId = NewType("EventId", int)  # change-log ids outgrow GraphQL's 32-bit Int
LogId = NewType("LogId", int)  # so do status history and alert ids

DEFAULT_PAGE_SIZE = PageSize(100)

_AREA = re.compile(AREA_PATTERN)


def _page_size(value: Any) -> PageSize:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PAGE_SIZE:
        raise ValueError(f"PageSize is an integer from 1 to {MAX_PAGE_SIZE}.")
    return PageSize(value)


def _cursor(value: Any, max_id: int) -> int:
    if not isinstance(value, str) or len(value) > 200:
        raise ValueError("A cursor is an opaque string from `pageInfo.endCursor`.")
    try:
        return decode_cursor(value, max_id=max_id)
    except BadRequest:
        raise ValueError("The cursor is not one this API issued.") from None


def _area(value: Any) -> AreaCode:
    if not isinstance(value, str) or not _AREA.fullmatch(value):
        raise ValueError("AreaCode is a jurisdiction code of 6 to 12 digits.")
    return AreaCode(value)


def _log_id(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_LOG_ID:
        raise ValueError(f"{name} is an integer from 0 to {MAX_LOG_ID}.")
    return value


SCALARS: dict[object, ScalarDefinition] = {
    PageSize: strawberry.scalar(
        name="PageSize",
        description=f"Items per page, 1 to {MAX_PAGE_SIZE}.",
        serialize=int,
        parse_value=_page_size,
    ),
    Cursor: strawberry.scalar(
        name="Cursor",
        description="Opaque position in a list; pass `pageInfo.endCursor` back as `after`.",
        serialize=encode_cursor,
        parse_value=lambda value: Cursor(_cursor(value, MAX_REGISTRY_ID)),
    ),
    LogCursor: strawberry.scalar(
        name="LogCursor",
        description="Opaque position in a log-backed list (alerts, history); see `Cursor`.",
        serialize=encode_cursor,
        parse_value=lambda value: LogCursor(_cursor(value, MAX_LOG_ID)),
    ),
    AreaCode: strawberry.scalar(
        name="AreaCode",
        description="Jurisdiction code (GB/T 2260 district, street or community), 6-12 digits.",
        serialize=str,
        parse_value=_area,
    ),
    EventId: strawberry.scalar(
        name="EventId",
        description="Id of a change-log event (64-bit); resume a subscription after it.",
        serialize=int,
        parse_value=lambda value: EventId(_log_id("EventId", value)),
    ),
    LogId: strawberry.scalar(
        name="LogId",
        description="Id of a status change or an alert: a 64-bit integer (GraphQL's Int is 32).",
        serialize=int,
        parse_value=lambda value: LogId(_log_id("LogId", value)),
    ),
}
