"""T/CEC 102.4 request and response envelopes: shape checks, Sig, Data (de)serialisation.

Request  (S1 §6.4.1; ref §1.3): {"OperatorID", "Data", "TimeStamp", "Seq", "Sig"},
         Sig = HMAC-MD5(SigSecret, OperatorID + Data + TimeStamp + Seq) (S1 §8.1).
Response (S1 §6.4.2; ref §1.6): {"Ret", "Msg", "Data", "Sig"},
         Sig = HMAC-MD5(SigSecret, str(Ret) + Msg + Data) (S6; C1 TcecCodec; C2).

A receiver checks in this order (ref §1.5, C1 security.md): envelope shape (4003), Sig (4001),
token (4002, the receiver's job, between the two helpers below), then Data (4004).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn

import orjson

from app.core.time import LOCAL_TZ
from app.tcec.crypto import ChannelSecrets, decrypt_data, encrypt_data, sign, verify
from app.tcec.ret import Ret, TcecError

TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"
REQUEST_FIELDS = ("OperatorID", "Data", "TimeStamp", "Seq", "Sig")
_TIMESTAMP = re.compile(r"[0-9]{14}")
_SEQ = re.compile(r"[0-9]+")
_SEQ_MAX = 9999  # Seq is 4 digits (S1 §6.4.1)


def format_timestamp(moment: datetime) -> str:
    """An aware datetime as the envelope's `yyyyMMddHHmmss`, in Asia/Shanghai local time."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(LOCAL_TZ).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(ts: str) -> datetime:
    """The envelope's `yyyyMMddHHmmss` (Asia/Shanghai local) as an aware UTC datetime.

    Sliced by hand rather than `strptime`, which accepts one-digit months and could read a
    malformed 14-digit string as some other valid time.
    """
    if not isinstance(ts, str) or not _TIMESTAMP.fullmatch(ts):
        raise TcecError(Ret.BAD_ENVELOPE, "TimeStamp must be 14 digits yyyyMMddHHmmss")
    try:
        local = datetime(
            int(ts[0:4]),
            int(ts[4:6]),
            int(ts[6:8]),
            int(ts[8:10]),
            int(ts[10:12]),
            int(ts[12:14]),
            tzinfo=LOCAL_TZ,
        )
    except ValueError:
        raise TcecError(Ret.BAD_ENVELOPE, "TimeStamp is not a valid date and time") from None
    return local.astimezone(UTC)


class SeqCounter:
    """Hands out (TimeStamp, Seq) pairs: Seq counts 0001… within a second and restarts each
    second (S1 §6.4.1).

    If the clock steps back, the counter stays on the last second it used so a pair is never
    repeated. The lock makes it safe from threads as well as from one event loop (it is never
    held across an await).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp = ""
        self._seq = 0

    def next(self, now: datetime) -> tuple[str, str]:
        stamp = format_timestamp(now)
        with self._lock:
            if stamp > self._stamp:  # fixed-width digits: string order is time order
                self._stamp, self._seq = stamp, 0
            if self._seq >= _SEQ_MAX:
                raise TcecError(Ret.BUSY, "more than 9999 requests within one second")
            self._seq += 1
            return self._stamp, f"{self._seq:04d}"


def _encode_payload(payload: Any) -> bytes:
    # Compact UTF-8 JSON; Chinese text stays as is (ensure_ascii=False), NaN is not JSON.
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.encode("utf-8")


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _int(text: str) -> int | str:
    """An integer as written, kept as its digits beyond 64 bits: the business rules still see
    its value (and refuse it), and the quarantine can store the payload (JSON columns, like
    orjson, hold at most 64-bit integers)."""
    value = int(text)
    return value if -(2**63) <= value < 2**63 else text


def _decode_payload(data: str, secrets: ChannelSecrets) -> Any:
    plaintext = decrypt_data(data, secrets)
    try:
        # utf-8-sig: tolerate a BOM some Windows-side senders put before the JSON.
        # The standard library, not orjson: orjson reads integers beyond 64 bits as floats,
        # and a partner's absurd number must reach the business rules as the number it is.
        return json.loads(
            plaintext.decode("utf-8-sig"), parse_constant=_reject_constant, parse_int=_int
        )
    except (ValueError, RecursionError):
        raise TcecError(Ret.BAD_DATA, "decrypted Data is not valid UTF-8 JSON") from None


def seal_request(
    operator_id: str, payload: Any, secrets: ChannelSecrets, *, timestamp: str, seq: str
) -> dict[str, str]:
    """Build a signed request envelope; `payload` is plain JSON data (see `wire.dump_wire`)."""
    data = encrypt_data(_encode_payload(payload), secrets)
    return {
        "OperatorID": operator_id,
        "Data": data,
        "TimeStamp": timestamp,
        "Seq": seq,
        "Sig": sign(secrets.sig_secret, operator_id, data, timestamp, seq),
    }


def _as_object(body: Any, what: str) -> Mapping[str, Any]:
    # Accept the parsed JSON body or the raw HTTP body.
    if isinstance(body, bytes | bytearray | str):
        try:
            body = orjson.loads(body)
        except ValueError:
            raise TcecError(Ret.BAD_ENVELOPE, f"{what} body is not JSON") from None
    if not isinstance(body, Mapping):
        raise TcecError(Ret.BAD_ENVELOPE, f"{what} body must be a JSON object")
    return body


def _request_envelope(body: Any) -> dict[str, str]:
    obj = _as_object(body, "request")
    envelope: dict[str, str] = {}
    for name in REQUEST_FIELDS:
        value = obj.get(name)
        if not isinstance(value, str) or not value.strip():
            raise TcecError(Ret.BAD_ENVELOPE, f"missing or empty {name}")
        envelope[name] = value
    parse_timestamp(envelope["TimeStamp"])  # 4003 unless a real yyyyMMddHHmmss
    if not _SEQ.fullmatch(envelope["Seq"]):
        raise TcecError(Ret.BAD_ENVELOPE, "Seq must be digits")
    return envelope


def _verified(
    body: Any, secrets_for: Callable[[str], ChannelSecrets | None]
) -> tuple[str, dict[str, str], ChannelSecrets]:
    envelope = _request_envelope(body)
    operator_id = envelope["OperatorID"]
    secrets = secrets_for(operator_id)
    if secrets is None:
        # Without the partner's SigSecret the Sig cannot be checked: answer as a bad Sig.
        raise TcecError(Ret.BAD_SIGNATURE, "Sig cannot be verified for this OperatorID")
    signed = (operator_id, envelope["Data"], envelope["TimeStamp"], envelope["Seq"])
    if not verify(secrets.sig_secret, envelope["Sig"], *signed):
        raise TcecError(Ret.BAD_SIGNATURE, "Sig does not match")
    return operator_id, envelope, secrets


def verify_request_signature(
    body: Any, secrets_for: Callable[[str], ChannelSecrets | None]
) -> tuple[str, dict[str, str]]:
    """Check the envelope's shape (4003) and Sig (4001); return (OperatorID, envelope fields).

    The receiver checks the Authorization token (4002) after this and before `decrypt_payload`.
    """
    operator_id, envelope, _ = _verified(body, secrets_for)
    return operator_id, envelope


def decrypt_payload(envelope: Mapping[str, str], secrets: ChannelSecrets) -> Any:
    """Decrypt and parse a verified envelope's Data (4004 on any failure)."""
    return _decode_payload(envelope["Data"], secrets)


def open_request(body: Any, secrets_for: Callable[[str], ChannelSecrets | None]) -> tuple[str, Any]:
    """Verify and decode a request without the token check; return (OperatorID, payload)."""
    operator_id, envelope, secrets = _verified(body, secrets_for)
    return operator_id, decrypt_payload(envelope, secrets)


def seal_response(
    ret: Ret | int, msg: str, payload: Any | None, secrets: ChannelSecrets
) -> dict[str, Any]:
    """Build a signed response; Data is "" when there is no payload (error answers)."""
    code = int(ret)
    data = "" if payload is None else encrypt_data(_encode_payload(payload), secrets)
    return {
        "Ret": code,
        "Msg": msg,
        "Data": data,
        "Sig": sign(secrets.sig_secret, str(code), msg, data),
    }


def _response_ret(value: Any) -> int:
    # Liberal: some platforms send Ret as a numeric string; the Sig covers its text either way.
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    raise TcecError(Ret.BAD_ENVELOPE, "response Ret must be an integer")


def _optional_text(obj: Mapping[str, Any], name: str) -> str:
    value = obj.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TcecError(Ret.BAD_ENVELOPE, f"response {name} must be a string")
    return value


def open_response(body: Any, secrets: ChannelSecrets) -> tuple[int, str, Any]:
    """Verify a partner's response and decode its Data; return (Ret, Msg, payload or None)."""
    body = _as_object(body, "response")
    if "Ret" not in body:
        raise TcecError(Ret.BAD_ENVELOPE, "missing Ret")
    raw_ret = body["Ret"]
    code = _response_ret(raw_ret)
    msg, data = _optional_text(body, "Msg"), _optional_text(body, "Data")
    signature = body.get("Sig")
    if not isinstance(signature, str) or not signature:
        raise TcecError(Ret.BAD_ENVELOPE, "missing or empty Sig")
    if not verify(secrets.sig_secret, signature, str(raw_ret), msg, data):
        raise TcecError(Ret.BAD_SIGNATURE, "response Sig does not match")
    return code, msg, (_decode_payload(data, secrets) if data else None)
