"""Opaque cursor pagination: a stable order by id, a capped limit, a cursor the client echoes."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel

from app.core.errors import BadRequest

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class MalformedCursor(BadRequest):
    code = "malformed-cursor"
    title = "Malformed cursor"


class PageParams(BaseModel):
    after_id: int | None
    limit: int

    @property
    def fetch_limit(self) -> int:
        # One row more than a page: its presence says whether there is a next page.
        return self.limit + 1

    def cut(self, rows: Sequence[T]) -> tuple[Sequence[T], bool]:
        """The page's rows (from `fetch_limit` fetched) and whether more follow."""
        return rows[: self.limit], len(rows) > self.limit


def next_cursor(last_id: int | None, more: bool) -> str | None:
    return encode_cursor(last_id) if more and last_id is not None else None


def encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"after": after_id})).rstrip(b"=").decode()


# Registry keys (piles, connectors) are 32-bit integers on PostgreSQL; log tables use 64 bits.
MAX_REGISTRY_ID = 2**31 - 1
MAX_LOG_ID = 2**63 - 1


def decode_cursor(cursor: str, *, max_id: int = MAX_LOG_ID) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        after = value["after"]
    except (ValueError, KeyError, TypeError, UnicodeEncodeError, binascii.Error) as exc:
        raise MalformedCursor("The cursor is not one this API issued.") from exc
    # A key the column cannot hold was not issued here (and must not reach the driver).
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= max_id:
        raise MalformedCursor("The cursor is not one this API issued.")
    return after


def paging(*, max_id: int) -> Callable[..., Awaitable[PageParams]]:
    """A dependency reading `cursor` and `limit` for a list keyed by ids up to `max_id`."""

    async def page_params(
        cursor: Annotated[
            str | None, Query(max_length=200, description="Opaque cursor from `next_cursor`.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
    ) -> PageParams:
        after_id = decode_cursor(cursor, max_id=max_id) if cursor else None
        return PageParams(after_id=after_id, limit=limit)

    return page_params
