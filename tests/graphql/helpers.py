"""Posting GraphQL operations to the real app."""

from __future__ import annotations

from typing import Any

import httpx
from sqlmodel import select

from app.core.db import Database
from app.models import Alert


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON answer of one operation (HTTP 200 expected)."""
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def error_codes(answer: dict[str, Any]) -> list[str | None]:
    return [(error.get("extensions") or {}).get("code") for error in answer.get("errors", [])]


async def open_alert(database: Database) -> int:
    """The id of an open alert (the demo has some)."""
    async with database.session() as session:
        alert = (await session.exec(select(Alert).where(Alert.state == "open"))).first()
    assert alert is not None
    assert alert.id is not None
    return alert.id
