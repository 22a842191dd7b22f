"""Charging-session errors.

AppError
└── BadRequest
    └── ChargeOrderRejected   unknown operator or connector, or an implausible order;
                              nothing stored
"""

from __future__ import annotations

from app.core.errors import BadRequest


class ChargeOrderRejected(BadRequest):
    code = "charge-order-rejected"
    title = "Charge order rejected"
