"""Operator errors.

AppError
├── NotFound
│   └── OperatorNotConnected   no connection (credentials) for this OperatorID
└── Conflict
    └── OperatorAlreadyConnected
"""

from __future__ import annotations

from app.core.errors import Conflict, NotFound


class OperatorNotConnected(NotFound):
    code = "operator-not-connected"
    title = "Operator not connected"


class OperatorAlreadyConnected(Conflict):
    code = "operator-already-connected"
    title = "Operator already connected"
