"""Opaque cursor pagination: a stable order by id, a capped limit, a cursor the client echoes."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

import orjson
from fastapi import Query
from pydantic import BaseModel

from app.core.errors import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


class MalformedCursor(BadRequest):
    code = "malformed-cursor"
    title = "Malformed cursor"


class PageParams(BaseModel):
    after_id: int | None
    limit: int


def encode_cursor(after_id: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"after": after_id})).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        after = value["after"]
    except (ValueError, KeyError, TypeError, UnicodeEncodeError, binascii.Error) as exc:
        raise MalformedCursor("The cursor is not one this API issued.") from exc
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise MalformedCursor("The cursor is not one this API issued.")
    return after


def page_params(
    cursor: Annotated[
        str | None, Query(max_length=200, description="Opaque cursor from `next_cursor`.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
) -> PageParams:
    return PageParams(after_id=decode_cursor(cursor) if cursor else None, limit=limit)
