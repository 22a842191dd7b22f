from __future__ import annotations

from pydantic import BaseModel


class Liveness(BaseModel):
    status: str = "ok"


class Readiness(BaseModel):
    ready: bool
    database: str
    schema_revision: str | None
    expected_revision: str | None = None
