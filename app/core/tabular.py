"""Content negotiation for analytics: JSON by default, CSV (RFC 4180) for `Accept: text/csv`.

Every analytics answer is a pydantic model that can also flatten itself into a table
(`Tabular`); the router hands both to `negotiate`, which picks by the Accept header's q values
(RFC 9110 §12.5.1) and renders CSV with the standard library's writer. CSV is read by people
in a spreadsheet: an instant is written in Asia/Shanghai with its offset (RFC 3339, +08:00),
a local date as the plain date (YYYY-MM-DD), a missing value as an empty cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from app.core.errors import AppError
from app.core.problem import problem_responses
from app.core.time import local_text

CSV = "text/csv"
JSON = "application/json"


class NotAcceptable(AppError):
    status = 406
    code = "not-acceptable"
    title = "Not acceptable"


def _accepted(header: str) -> dict[str, float]:
    """Media range -> q for each item of an Accept header."""
    ranges: dict[str, float] = {}
    for item in header.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges[media.lower()] = max(quality, ranges.get(media.lower(), 0.0))
    return ranges


def preferred(header: str | None) -> str:
    """JSON or CSV, whichever the client prefers (JSON on a tie or with no header)."""
    if not header:
        return JSON
    ranges = _accepted(header)
    wildcard = max(ranges.get("*/*", 0.0), 0.0)

    def quality(media: str) -> float:
        kind = media.split("/")[0] + "/*"
        return ranges.get(media, ranges.get(kind, wildcard))

    json_q, csv_q = quality(JSON), quality(CSV)
    if json_q <= 0 and csv_q <= 0:
        raise NotAcceptable("This resource is available as application/json or text/csv.")
    return CSV if csv_q > json_q else JSON


class TabularModel(BaseModel):
    """A response model that is also a table (subclasses define the two csv_ methods)."""

    def csv_header(self) -> Sequence[str]:
        raise NotImplementedError

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        raise NotImplementedError


def render_csv(table: TabularModel) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.csv_header())
    writer.writerows([_cell(value) for value in row] for row in table.csv_rows())
    return buffer.getvalue().encode()


def _cell(value: Any) -> Any:
    # The writer would write str(): for a datetime neither RFC 3339 (a space for the "T") nor
    # local time. Dates (str() is YYYY-MM-DD) and None (an empty cell) are fine as they are.
    return local_text(value) if isinstance(value, datetime) else value


def negotiate(request: Request, body: TabularModel, *, filename: str) -> Response:
    """The answer as JSON or CSV, per the request's Accept header."""
    headers = {"Vary": "Accept"}
    if preferred(request.headers.get("accept")) == CSV:
        headers["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return Response(render_csv(body), media_type=f"{CSV}; charset=utf-8", headers=headers)
    return Response(body.model_dump_json(by_alias=True).encode(), media_type=JSON, headers=headers)


def analytics_responses(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """`responses=` for an analytics route: JSON (the model) or CSV, and its problems."""
    responses = problem_responses(404, 406, 422, ok=(model, JSON))
    responses[200]["content"][CSV] = {"schema": {"type": "string"}}
    return responses
