"""Registry errors.

AppError
├── NotFound
│   └── PileNotFound        unknown or outside the caller's area (never 403)
└── BadRequest
    └── UnknownOperator     a record names an operator the hub has not onboarded
"""

from __future__ import annotations

from app.core.errors import BadRequest, NotFound


class PileNotFound(NotFound):
    code = "pile-not-found"
    title = "Pile not found"


class UnknownOperator(BadRequest):
    code = "unknown-operator"
    title = "Unknown operator"


class NotACommunity(BadRequest):
    code = "not-a-community"
    title = "Not a community"
