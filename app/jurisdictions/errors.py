"""Jurisdiction errors.

AppError
└── NotFound
    └── AreaNotFound   unknown code or outside the caller's area (never 403)
"""

from __future__ import annotations

from app.core.errors import NotFound


class AreaNotFound(NotFound):
    code = "area-not-found"
    title = "Area not found"
