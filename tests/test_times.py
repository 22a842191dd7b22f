"""Times are UTC on the wire, local on the street: answers keep RFC 3339 instants, CSV is
written in Asia/Shanghai, and the API's documentation says of every time whether it is an
instant or a local (Asia/Shanghai) date."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.core.config import Settings
from app.core.tabular import TabularModel, render_csv
from app.core.time import INSTANT, LOCAL_DATE
from app.main import create_app


class _Table(TabularModel):
    def csv_header(self) -> Sequence[str]:
        return ["day", "opened_at", "closed_at", "kwh"]

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        yield [date(2026, 11, 2), datetime(2026, 11, 1, 16, 30, tzinfo=UTC), None, 1.5]


def test_csv_writes_instants_in_shanghai_time_and_local_dates_as_dates() -> None:
    (header, row) = list(csv.reader(io.StringIO(render_csv(_Table()).decode())))
    assert header == ["day", "opened_at", "closed_at", "kwh"]
    # 16:30 UTC is half past midnight of the next day in Shanghai.
    assert row == ["2026-11-02", "2026-11-02T00:30:00+08:00", "", "1.5"]


def _openapi() -> dict[str, Any]:
    document: dict[str, Any] = create_app(Settings()).openapi()
    return document


def _times(schema: dict[str, Any]) -> Iterator[str]:
    """The formats of time this schema (or one of its anyOf branches) takes."""
    for branch in [schema, *schema.get("anyOf", []), *schema.get("items", {}).get("anyOf", [])]:
        if branch.get("format") in {"date-time", "date"}:
            yield branch["format"]


def _undocumented(where: str, schema: dict[str, Any], description: str | None) -> list[str]:
    expected = {"date-time": INSTANT, "date": LOCAL_DATE}
    return [
        f"{where} ({kind})" for kind in _times(schema) if expected[kind] not in (description or "")
    ]


def test_every_time_says_whether_it_is_an_instant_or_a_local_date() -> None:
    document = _openapi()
    missing: list[str] = []
    checked = 0
    for name, component in document["components"]["schemas"].items():
        for field, schema in component.get("properties", {}).items():
            checked += bool(list(_times(schema)))
            missing += _undocumented(f"{name}.{field}", schema, schema.get("description"))
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                checked += bool(list(_times(schema)))
                where = f"{method.upper()} {path} ?{parameter['name']}"
                missing += _undocumented(where, schema, parameter.get("description"))
    assert missing == [], "\n".join(missing)
    assert checked >= 60  # the walk found the times (every schema and route that has one)


@pytest.mark.parametrize("kind", [INSTANT, LOCAL_DATE])
def test_the_openapi_description_explains_both_kinds(kind: str) -> None:
    assert kind.split(":")[0] in _openapi()["info"]["description"]
