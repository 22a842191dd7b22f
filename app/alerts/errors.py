"""Alert errors.

AppError
├── NotFound
│   └── AlertNotFound        no such alert in your area
└── Conflict
    └── AlertAlreadyResolved acknowledging or resolving a resolved alert
"""

from __future__ import annotations

from app.core.errors import Conflict, NotFound


class AlertNotFound(NotFound):
    code = "alert-not-found"
    title = "Alert not found"


class AlertAlreadyResolved(Conflict):
    code = "alert-resolved"
    title = "Alert already resolved"
