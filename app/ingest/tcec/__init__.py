"""T/CEC 102 (中电联互联互通): a pure codec (no database, no HTTP) and the HTTP client.

    ret.py       Ret codes and TcecError (what to answer a partner)
    crypto.py    AES-128-CBC Data and HMAC-MD5 Sig primitives, ChannelSecrets
    envelope.py  request/response envelopes: shape, Sig, Data; TimeStamp and Seq
    wire.py      pydantic models of the decrypted Data, liberal in, strict out
    mapper.py    wire models -> StationRecord / StatusReport / ChargeOrderRecord
    client.py    TcecClient: httpx, token cache, retries, deadlines (both directions)

A receiver runs `envelope.verify_request_signature` (4003, 4001), checks the bearer token
(4002), then `envelope.decrypt_payload` (4004), `wire.parse_wire` and a `mapper` function, and
answers with `envelope.seal_response`. The protocol as the hub plays it is described in the
README, "Connecting an operator (T/CEC 102)".
"""

from app.ingest.tcec.crypto import ChannelSecrets
from app.ingest.tcec.envelope import (
    SeqCounter,
    open_request,
    open_response,
    seal_request,
    seal_response,
)
from app.ingest.tcec.ret import Ret, TcecError
from app.ingest.tcec.wire import dump_wire, parse_wire

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
