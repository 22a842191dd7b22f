"""Webhook and channel errors.

AppError
├── NotFound
│   └── EndpointNotFound      no such webhook or channel in your area
├── Forbidden
│   └── KindsNeedScope        alert or session events without the scope that reads them
└── Unprocessable
    ├── UnsafeTargetURL       the URL fails the SSRF guard (API7)
    └── UnknownEventKinds     a pattern that names no event kind
"""

from __future__ import annotations

from app.core.errors import Forbidden, NotFound, Unprocessable


class EndpointNotFound(NotFound):
    code = "webhook-not-found"
    title = "Webhook or channel not found"


class KindsNeedScope(Forbidden):
    code = "insufficient-scope"
    title = "Insufficient scope"


class UnsafeTargetURL(Unprocessable):
    code = "unsafe-target"
    title = "The target URL is not allowed"


class UnknownEventKinds(Unprocessable):
    code = "unknown-event-kind"
    title = "Unknown event kind"
