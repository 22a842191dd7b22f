"""T/CEC 102 (中电联互联互通): a pure codec (no database, no HTTP) and the HTTP client.

A low package: it imports only `app.core`, so the hub's feeds (`app.ingest`) and the
simulator (`app.simulator`) both speak the protocol without depending on each other or on
the hub's domains.

    ret.py       Ret codes and TcecError (what to answer a partner)
    crypto.py    AES-128-CBC Data and HMAC-MD5 Sig primitives, ChannelSecrets
    envelope.py  request/response envelopes: shape, Sig, Data; TimeStamp and Seq
    wire.py      pydantic models of the decrypted Data, liberal in, strict out
    client.py    TcecClient: httpx, token cache, retries, deadlines (both directions)
    errors.py    FeedError and its kinds: why a call to a peer failed

A receiver runs `envelope.verify_request_signature` (4003, 4001), checks the bearer token
(4002), then `envelope.decrypt_payload` (4004), `wire.parse_wire` and a mapper to its own
inputs (the hub's is `app.ingest.mapper`), and answers with `envelope.seal_response`. The
protocol as the hub plays it is described in the README, "Connecting an operator (T/CEC 102)".
"""

from app.tcec.crypto import ChannelSecrets
from app.tcec.envelope import (
    SeqCounter,
    open_request,
    open_response,
    seal_request,
    seal_response,
)
from app.tcec.ret import Ret, TcecError
from app.tcec.wire import dump_wire, parse_wire

__all__ = [
    "ChannelSecrets",
    "Ret",
    "SeqCounter",
    "TcecError",
    "dump_wire",
    "open_request",
    "open_response",
    "parse_wire",
    "seal_request",
    "seal_response",
]
