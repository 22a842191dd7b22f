from __future__ import annotations

from typing import Annotated

from fastapi import Query

# Jurisdiction codes: GB/T 2260 district codes (6 digits) and their streets and communities.
AREA_PATTERN = r"^[0-9]{6,12}$"
AreaQuery = Annotated[
    str | None,
    Query(pattern=AREA_PATTERN, description="Area code; defaults to the caller's area."),
]
