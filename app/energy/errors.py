"""Energy and analytics errors.

AppError
└── Unprocessable
    ├── RangeTooLarge   from/to span more days or months than the granularity allows
    ├── RangeReversed   `from` after `to`
    ├── RangeInFuture   the whole range lies after now: nothing in it can have been observed
    └── RangeOutsideWindow  a date before 2000 or more than a year after today
"""

from __future__ import annotations

from app.core.errors import Unprocessable


class RangeTooLarge(Unprocessable):
    code = "range-too-large"
    title = "Range too large"


class RangeReversed(Unprocessable):
    code = "range-reversed"
    title = "Range reversed"


class RangeInFuture(Unprocessable):
    code = "range-in-future"
    title = "Range in the future"


class RangeOutsideWindow(Unprocessable):
    code = "range-outside-window"
    title = "Date outside the window"
