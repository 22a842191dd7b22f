"""Why a T/CEC 102 call to a peer (a pull from an operator, or a push to the hub) failed.

Exception tree::

    Exception
     └── FeedError                 safe message only: no secrets, tokens or payloads
          ├── FeedTransportError   no usable answer: connect/read/write/pool timeouts, connection
          │                        errors, deadline exceeded, 5xx (and 408/429), any other non-2xx,
          │                        a redirect (counted as failure, never followed), an oversized or
          │                        non-JSON response body
          │                        .retryable, .status_code, .retry_after
          ├── FeedProtocolError    an answer, but a failed one: the peer answered Ret != 0, refused
          │                        query_token (SuccStat 1), or its response is malformed or its
          │                        Sig does not verify
          │                        .ret, .msg, .from_peer, .fail_reason
          └── FeedRejected         an answer whose records cannot be mapped (wire validation, or the
                                   caller's mapper); .payload holds the decrypted Data if known

`FeedTransportError.retryable` is what the T/CEC client retries on (with `Ret -1` BUSY); a
caller may also use it to decide whether a failed run is worth an early retry.

Messages are built from interface names, status codes, Ret codes and fixed phrases; a peer's
`Msg` is included after removing control characters and truncating, because it is the only
hint of what the peer disliked. `args` is `(message,)` so `repr()` is as safe as `str()`
(stamina logs `repr(exc)` when it schedules a retry).
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
PEER_TEXT_LIMIT = 200


def clean_peer_text(text: str, limit: int = PEER_TEXT_LIMIT) -> str:
    """A peer-supplied string made safe for one log line: no control characters, bounded."""
    flat = _CONTROL.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _restore(cls: type[FeedError], message: str, state: dict[str, Any]) -> FeedError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class FeedError(Exception):
    """Base of every feed failure; `str()` and `repr()` are safe to log."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only attributes survive pickling (e.g. across worker processes).
        return (_restore, (type(self), self.message, dict(self.__dict__)))


class FeedTransportError(FeedError):
    """No usable answer came back."""

    retryable: bool
    status_code: int | None
    retry_after: float | None

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code
        self.retry_after = retry_after  # seconds, from a Retry-After header


class FeedProtocolError(FeedError):
    """An answer came back, but it is a failure or cannot be trusted.

    `ret` is the peer's Ret when `from_peer`, otherwise the Ret we would answer for the fault
    we found in the response (4001 bad Sig, 4003 malformed envelope, 4004 bad Data).
    `fail_reason` is set when query_token answered SuccStat 1 (then `ret` is 0).
    """

    ret: int
    msg: str
    from_peer: bool
    fail_reason: int | None

    def __init__(
        self,
        message: str,
        *,
        ret: int,
        msg: str = "",
        from_peer: bool = True,
        fail_reason: int | None = None,
    ) -> None:
        super().__init__(message)
        self.ret = int(ret)
        self.msg = clean_peer_text(msg)
        self.from_peer = from_peer
        self.fail_reason = fail_reason


class FeedRejected(FeedError):
    """Records that cannot be mapped; `payload` (decrypted Data, never in str/repr) may be kept
    for quarantine."""

    payload: Any

    def __init__(self, message: str, *, payload: Any = None) -> None:
        super().__init__(message)
        self.payload = payload
