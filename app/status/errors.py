"""Status errors.

AppError
├── BadRequest
│   └── StatusReportRejected   unknown operator, connector or status code; nothing stored
└── NotFound
    └── ConnectorNotFound      unknown or outside the caller's area
"""

from __future__ import annotations

from app.core.errors import BadRequest, NotFound


class StatusReportRejected(BadRequest):
    code = "status-report-rejected"
    title = "Status report rejected"


class ConnectorNotFound(NotFound):
    code = "connector-not-found"
    title = "Connector not found"
