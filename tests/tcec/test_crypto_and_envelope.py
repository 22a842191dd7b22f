"""T/CEC 102.4 crypto and envelopes: published vectors byte for byte, round trips, check order."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.tcec.crypto import ChannelSecrets, decrypt_data, encrypt_data, sign, verify
from app.tcec.envelope import (
    SeqCounter,
    decrypt_payload,
    format_timestamp,
    open_request,
    open_response,
    parse_timestamp,
    seal_request,
    seal_response,
    verify_request_signature,
)
from app.tcec.ret import Ret, TcecError

# --- published vectors -----------------------------------------------------------------------

# T/CEC 102.4 Appendix C.3 (the published signing and encryption example).
VECTOR_SECRET = "1234567890abcdef"
VECTOR_SECRETS = ChannelSecrets(VECTOR_SECRET, VECTOR_SECRET, VECTOR_SECRET)
APPENDIX_DATA = (
    "il7B0BSEjFdzpyKzfOFpvg/Se1CP802RItKYFPfSLRxJ3jf0bVl9hvYOEktPAYW2nd7S8MBcyHYyacHKbISq5iTmDzG+"
    "ivnR+SZJv3USNTYVMz9rCQVSxd0cLlqsJauko79NnwQJbzDTyLooYoIwz75qBOH2/xOMirpeEqRJrF/EQjWekJmGk9"
    "RtboXePu2rka+Xm51syBPhiXJAq0GfbfaFu9tNqs/e2Vjja/ltE1M0lqvxfXQ6da6HrThsm5id4ClZFIi0acRfrsPL"
    "RixS/IQYtksxghvJwbqOsbIsITail9Ayy4tKcogeEZiOO+4Ed264NSKmk7l3wKwJLAFjCFogBx8GE3OBz4pqcAn/ydA="
)
APPENDIX_SIG = "745166E8C43C84D37FFEC0F529C4136F"
# The draft's example JSON, trailing comma included: not valid JSON.
APPENDIX_PLAINTEXT = (
    b'{"total":1,"stationStatusInfo":{"operationID":"123456789","stationID":"111111111111111",'
    b'"connectorStatusInfos":{"connectorID":1,"equipmentID":"10000000000000000000001","status":4,'
    b'"currentA":0,"currentB":0,"currentC":0,"voltageA":0,"voltageB":0,"voltageC":0,"soc":10,}}}'
)
APPENDIX_ENVELOPE = {
    "OperatorID": "123456789",
    "Data": APPENDIX_DATA,
    "TimeStamp": "20160729142400",
    "Seq": "0001",
    "Sig": APPENDIX_SIG,
}

# Xiaoju's published query_token response vector (its Sig and Data, from the public vector
# file of ac1982/tcec-ev-charging-java,
# tcec-core/src/test/resources/published-crypto-vectors.json, "xiaojie-query-token-response").
TOKEN_RESPONSE_DATA = (
    "uxeKP0ezR5yL8xSg4/ZCDh/N91/u86NXFxd2DrwZVW8zCPYcpl59Twz/yQZ3RaO4rDDrGmkvQignmNEJ+k4PGxdmIC+"
    "4fpJ8rU6osSobY+AeA0uueuQ5+eQiWBL6p6v5XMMm91brtK8yfFELYUWQzVcxABnAwK/+dyxtUhqLIxUpkwTEU/4k"
    "tN40df9IzzlLO5uvUknPGYu9yL0pp5w9vdRxmA1RiiTDNCysz6klr9bunGV3VJa2qpLcgeZMf/oG"
)
TOKEN_RESPONSE_SIG = "58E52010C7DEE87FE183B0AFA5B2BE30"
TOKEN_ACCESS = "kVnStIRknCCOBdXgJrmu8rb3pcccifKW2NcQrysKKIzb7iQBxkkjeq3WoGdjgrIL"


def test_appendix_request_sig_vector() -> None:
    parts = ("123456789", APPENDIX_DATA, "20160729142400", "0001")
    assert sign(VECTOR_SECRET, *parts) == APPENDIX_SIG
    assert verify(VECTOR_SECRET, APPENDIX_SIG.lower(), *parts)


def test_appendix_data_decrypts_to_the_draft_example_text() -> None:
    plaintext = decrypt_data(APPENDIX_DATA, VECTOR_SECRETS)
    assert plaintext == APPENDIX_PLAINTEXT
    with pytest.raises(json.JSONDecodeError):
        json.loads(plaintext)  # the draft's trailing comma


def test_reencrypting_the_appendix_plaintext_gives_the_identical_data() -> None:
    assert encrypt_data(APPENDIX_PLAINTEXT, VECTOR_SECRETS) == APPENDIX_DATA


def test_appendix_envelope_passes_the_sig_and_fails_as_bad_data() -> None:
    operator_id, envelope = verify_request_signature(APPENDIX_ENVELOPE, lambda _: VECTOR_SECRETS)
    assert operator_id == "123456789"
    assert envelope == APPENDIX_ENVELOPE
    with pytest.raises(TcecError) as caught:
        open_request(APPENDIX_ENVELOPE, lambda _: VECTOR_SECRETS)
    assert caught.value.ret is Ret.BAD_DATA


def test_token_response_sig_vector() -> None:
    assert sign(VECTOR_SECRET, "0", "", TOKEN_RESPONSE_DATA) == TOKEN_RESPONSE_SIG
    body = {"Ret": 0, "Msg": "", "Data": TOKEN_RESPONSE_DATA, "Sig": TOKEN_RESPONSE_SIG}
    ret, msg, payload = open_response(body, VECTOR_SECRETS)
    assert (ret, msg) == (0, "")
    assert payload == {
        "OperatorID": "123456789",
        "SuccStat": 0,
        "AccessToken": TOKEN_ACCESS,
        "TokenAvailableTime": 7200,
        "FailReason": 0,
    }


def test_response_sig_rule_on_our_own_round_trip() -> None:
    sealed = seal_response(Ret.OK, "", {"Status": 0}, VECTOR_SECRETS)
    assert sealed["Sig"] == sign(VECTOR_SECRET, "0", "", sealed["Data"])
    failed = seal_response(Ret.BAD_TOKEN, "token expired", None, VECTOR_SECRETS)
    assert failed == {
        "Ret": 4002,
        "Msg": "token expired",
        "Data": "",
        "Sig": sign(VECTOR_SECRET, "4002", "token expired", ""),
    }


# --- crypto primitives -------------------------------------------------------------------------

DATA_SECRET = "DataKey-16chars!"
DATA_IV = "IV-16-characters"
SIG_SECRET = "SigSecret-do-not-leak"
SECRETS = ChannelSecrets(DATA_SECRET, DATA_IV, SIG_SECRET)
SECRET_TEXTS = (DATA_SECRET, DATA_IV, SIG_SECRET)
OPERATOR = "MA002TMQX"


def test_secrets_do_not_show_in_repr_or_str() -> None:
    for text in (repr(SECRETS), str(SECRETS), repr([SECRETS])):
        assert "ChannelSecrets(***)" in text
        assert all(secret not in text for secret in SECRET_TEXTS)


@pytest.mark.parametrize(
    ("data_secret", "iv", "sig_secret"),
    [
        ("short", DATA_IV, SIG_SECRET),
        (DATA_SECRET, "x" * 17, SIG_SECRET),
        (DATA_SECRET, DATA_IV, ""),
    ],
)
def test_bad_secrets_are_refused_without_echoing_them(
    data_secret: str, iv: str, sig_secret: str
) -> None:
    with pytest.raises(ValueError, match="secret") as caught:
        ChannelSecrets(data_secret, iv, sig_secret)
    assert all(given not in str(caught.value) for given in (data_secret, iv, sig_secret) if given)


def test_encrypt_is_standard_padded_base64() -> None:
    data = encrypt_data(b"x", SECRETS)
    assert len(data) == 24  # one AES block
    assert data.endswith("==")
    assert decrypt_data(data, SECRETS) == b"x"


def test_decrypt_tolerates_line_breaks_and_missing_padding() -> None:
    data = encrypt_data(b'{"Status":0}' * 10, SECRETS)
    wrapped = "\r\n".join(data[i : i + 76] for i in range(0, len(data), 76)).rstrip("=")
    assert decrypt_data(wrapped, SECRETS) == b'{"Status":0}' * 10


@pytest.mark.parametrize(
    "data",
    ["not base64!", "QUJD", "", encrypt_data(b"{}", SECRETS)[:-4]],
    ids=["bad-base64", "not-whole-blocks", "empty", "truncated"],
)
def test_undecryptable_data_is_bad_data(data: str) -> None:
    with pytest.raises(TcecError) as caught:
        decrypt_data(data, SECRETS)
    assert caught.value.ret is Ret.BAD_DATA


def test_wrong_data_secret_is_bad_data() -> None:
    other = ChannelSecrets("another-16-chars", DATA_IV, SIG_SECRET)
    with pytest.raises(TcecError) as caught:
        decrypt_data(encrypt_data(b'{"Status":0}', SECRETS), other)
    assert caught.value.ret is Ret.BAD_DATA


@pytest.mark.parametrize("signature", ["", "0" * 32, "745166E8C43C84D37FFEC0F529C4136", "é" * 32])
def test_verify_rejects_wrong_signatures(signature: str) -> None:
    assert not verify(
        VECTOR_SECRET, signature, "123456789", APPENDIX_DATA, "20160729142400", "0001"
    )


def test_verify_rejects_non_string_signature() -> None:
    not_a_string: Any = 745166
    assert not verify(VECTOR_SECRET, not_a_string, "x")


@given(plaintext=st.binary(max_size=300))
def test_encrypt_decrypt_round_trip(plaintext: bytes) -> None:
    assert decrypt_data(encrypt_data(plaintext, SECRETS), SECRETS) == plaintext


# --- TimeStamp and Seq -------------------------------------------------------------------------


def test_timestamp_is_shanghai_local_time() -> None:
    moment = datetime(2016, 7, 29, 6, 24, tzinfo=UTC)
    assert format_timestamp(moment) == "20160729142400"
    assert parse_timestamp("20261009120000") == datetime(2026, 10, 9, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "ts", ["2016072914240", "20161329142400", "20160230000000", "2016-07-29 14"]
)
def test_bad_timestamps_are_bad_envelope(ts: str) -> None:
    with pytest.raises(TcecError) as caught:
        parse_timestamp(ts)
    assert caught.value.ret is Ret.BAD_ENVELOPE


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SeqCounter().next(datetime(2026, 1, 1))


def test_seq_counts_within_a_second_and_restarts() -> None:
    counter = SeqCounter()
    t0 = datetime(2026, 10, 9, 4, 0, 0, 100, tzinfo=UTC)
    assert counter.next(t0) == ("20261009120000", "0001")
    assert counter.next(t0 + timedelta(milliseconds=500)) == ("20261009120000", "0002")
    assert counter.next(t0 + timedelta(seconds=1)) == ("20261009120001", "0001")
    # The clock steps back: stay on the last second rather than repeat a pair.
    assert counter.next(t0) == ("20261009120001", "0002")


def test_seq_runs_out_as_busy() -> None:
    counter = SeqCounter()
    now = datetime(2026, 10, 9, 4, 0, tzinfo=UTC)
    for _ in range(9999):
        counter.next(now)
    with pytest.raises(TcecError) as caught:
        counter.next(now)
    assert caught.value.ret is Ret.BUSY


def test_seq_pairs_are_unique_across_threads() -> None:
    counter = SeqCounter()
    now = datetime(2026, 10, 9, 4, 0, tzinfo=UTC)
    pairs: list[tuple[str, str]] = []

    def take() -> None:
        for _ in range(200):
            pairs.append(counter.next(now))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(pairs)) == 1600


# --- requests ----------------------------------------------------------------------------------


def known(operator_id: str) -> ChannelSecrets | None:
    return SECRETS if operator_id == OPERATOR else None


def sealed(payload: Any = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = seal_request(
        OPERATOR,
        {"ConnectorStatusInfo": {"ConnectorID": "1", "Status": 3}} if payload is None else payload,
        SECRETS,
        timestamp="20261009120000",
        seq="0001",
    )
    body.update(overrides)
    return body


def signed_with_data(data: str) -> dict[str, str]:
    """A correctly signed envelope around an arbitrary Data string."""
    body = {"OperatorID": OPERATOR, "Data": data, "TimeStamp": "20261009120000", "Seq": "0001"}
    body["Sig"] = sign(SIG_SECRET, OPERATOR, data, "20261009120000", "0001")
    return body


def test_request_round_trip_is_compact_utf8_json() -> None:
    payload = {"StationName": "充电站名称", "PageNo": 1}
    body = sealed(payload)
    assert set(body) == {"OperatorID", "Data", "TimeStamp", "Seq", "Sig"}
    assert decrypt_data(body["Data"], SECRETS) == '{"StationName":"充电站名称","PageNo":1}'.encode()
    assert open_request(body, known) == (OPERATOR, payload)
    assert open_request(json.dumps(body).encode(), known) == (OPERATOR, payload)


def test_the_two_halves_compose_to_open_request() -> None:
    operator_id, envelope = verify_request_signature(sealed(), known)
    assert operator_id == OPERATOR
    assert decrypt_payload(envelope, SECRETS) == open_request(sealed(), known)[1]


FIELDS = ("OperatorID", "Data", "TimeStamp", "Seq", "Sig")


def _error(body: Any) -> TcecError:
    with pytest.raises(TcecError) as caught:
        open_request(body, known)
    return caught.value


@pytest.mark.parametrize("body", [[], "[]", "not json", b"\xff", 42, None, '"{}"'])
def test_non_object_body_is_bad_envelope(body: Any) -> None:
    assert _error(body).ret is Ret.BAD_ENVELOPE


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize(
    "value", [None, "", "   ", 1, ["x"]], ids=["missing", "empty", "blank", "int", "list"]
)
def test_missing_or_empty_field_is_bad_envelope(field: str, value: Any) -> None:
    body = sealed(Sig="0" * 32)  # a bad Sig too: the shape is checked first
    if value is None:
        del body[field]
    else:
        body[field] = value
    error = _error(body)
    assert error.ret is Ret.BAD_ENVELOPE
    assert field in error.msg


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("TimeStamp", "2026100912000"),
        ("TimeStamp", "20261309120000"),
        ("Seq", "00a1"),
        ("Seq", "-1"),
    ],
)
def test_ill_formed_timestamp_or_seq_is_bad_envelope(field: str, value: str) -> None:
    assert _error(sealed(**{field: value})).ret is Ret.BAD_ENVELOPE


@pytest.mark.parametrize(
    "overrides",
    [{"Sig": "0" * 32}, {"Seq": "0002"}, {"TimeStamp": "20261009120001"}, {"Data": APPENDIX_DATA}],
    ids=["sig", "seq", "timestamp", "data"],
)
def test_tampered_request_is_bad_signature(overrides: dict[str, str]) -> None:
    assert _error(sealed(**overrides)).ret is Ret.BAD_SIGNATURE


def test_lower_case_sig_is_accepted() -> None:
    body = sealed()
    body["Sig"] = body["Sig"].lower()
    assert open_request(body, known)[0] == OPERATOR


def test_unknown_operator_is_bad_signature() -> None:
    body = seal_request("123456789", {}, SECRETS, timestamp="20261009120000", seq="0001")
    assert _error(body).ret is Ret.BAD_SIGNATURE


def test_wrong_data_secret_is_bad_data_after_a_good_sig() -> None:
    # The partner signs with the right SigSecret but encrypts with a stale DataSecret.
    stale = ChannelSecrets("stale-16-chars!!", DATA_IV, SIG_SECRET)
    body = seal_request(OPERATOR, {"Status": 0}, stale, timestamp="20261009120000", seq="0001")
    assert _error(body).ret is Ret.BAD_DATA


@pytest.mark.parametrize(
    "data",
    [
        "@@not base64@@",
        encrypt_data(b"not json", SECRETS),
        encrypt_data(b"\xff\xfe{}", SECRETS),
        encrypt_data(b'{"a": NaN}', SECRETS),
    ],
    ids=["bad-base64", "non-json", "non-utf8", "nan"],
)
def test_undecodable_signed_data_is_bad_data(data: str) -> None:
    assert _error(signed_with_data(data)).ret is Ret.BAD_DATA


def test_a_bom_before_the_json_is_tolerated() -> None:
    body = signed_with_data(encrypt_data('\ufeff{"Status":0}'.encode(), SECRETS))
    assert open_request(body, known) == (OPERATOR, {"Status": 0})


def test_errors_never_carry_secrets() -> None:
    stale = ChannelSecrets("stale-16-chars!!", DATA_IV, SIG_SECRET)
    bodies: list[Any] = [
        [],
        sealed(Sig=""),
        sealed(Sig="0" * 32),
        seal_request("123456789", {}, SECRETS, timestamp="20261009120000", seq="0001"),
        seal_request(OPERATOR, {}, stale, timestamp="20261009120000", seq="0001"),
        signed_with_data(encrypt_data(b"not json", SECRETS)),
    ]
    for body in bodies:
        error = _error(body)
        for text in (str(error), repr(error), error.msg, repr(error.args)):
            assert all(secret not in text for secret in (*SECRET_TEXTS, "stale-16-chars!!"))


def test_tcec_error_carries_ret_and_msg() -> None:
    error = TcecError(Ret.BAD_DATA, "TotalPower missing")
    assert (error.ret, error.msg, str(error)) == (
        Ret.BAD_DATA,
        "TotalPower missing",
        "[4004] TotalPower missing",
    )


# --- responses ---------------------------------------------------------------------------------


def test_response_round_trip() -> None:
    body = seal_response(Ret.OK, "", {"Status": 0}, SECRETS)
    assert open_response(body, SECRETS) == (0, "", {"Status": 0})
    assert open_response(json.dumps(body), SECRETS) == (0, "", {"Status": 0})


def test_error_response_has_empty_data() -> None:
    body = seal_response(4002, "token expired", None, SECRETS)
    assert body["Data"] == ""
    assert open_response(body, SECRETS) == (4002, "token expired", None)


def test_response_ret_as_numeric_string_is_accepted() -> None:
    body = {"Ret": "0", "Msg": "", "Data": "", "Sig": sign(SIG_SECRET, "0", "", "")}
    assert open_response(body, SECRETS) == (0, "", None)


def test_response_with_wrong_sig_is_bad_signature() -> None:
    body = seal_response(Ret.OK, "", {"Status": 0}, SECRETS)
    body["Msg"] = "tampered"
    with pytest.raises(TcecError) as caught:
        open_response(body, SECRETS)
    assert caught.value.ret is Ret.BAD_SIGNATURE


@pytest.mark.parametrize(
    "body",
    [
        [],
        "nope",
        {"Msg": "", "Data": "", "Sig": "A" * 32},
        {"Ret": True, "Msg": "", "Data": "", "Sig": "A" * 32},
        {"Ret": 1.5, "Msg": "", "Data": "", "Sig": "A" * 32},
        {"Ret": 0, "Msg": 3, "Data": "", "Sig": "A" * 32},
        {"Ret": 0, "Msg": "", "Data": "", "Sig": ""},
        {"Ret": 0, "Msg": "", "Data": ""},
    ],
)
def test_malformed_response_is_bad_envelope(body: Any) -> None:
    with pytest.raises(TcecError) as caught:
        open_response(body, SECRETS)
    assert caught.value.ret is Ret.BAD_ENVELOPE


def test_response_data_under_another_key_is_bad_data() -> None:
    other = ChannelSecrets("another-16-chars", DATA_IV, SIG_SECRET)
    body = seal_response(Ret.OK, "", {"Status": 0}, other)
    with pytest.raises(TcecError) as caught:
        open_response(body, SECRETS)
    assert caught.value.ret is Ret.BAD_DATA


# --- properties --------------------------------------------------------------------------------

# Integers round-trip within 64 bits; beyond, they come back as their digits (next test).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=25,
)


@given(payload=json_values)
def test_seal_open_request_round_trip(payload: Any) -> None:
    body = seal_request(OPERATOR, payload, SECRETS, timestamp="20261009120000", seq="0001")
    assert open_request(body, known) == (OPERATOR, payload)


@given(payload=json_values, ret=st.sampled_from(list(Ret)), msg=st.text(max_size=20))
def test_seal_open_response_round_trip(payload: Any, ret: Ret, msg: str) -> None:
    # A None payload is sealed as Data "" and comes back as None.
    assert open_response(seal_response(ret, msg, payload, SECRETS), SECRETS) == (
        int(ret),
        msg,
        payload,
    )


@given(big=st.integers(2**63, 2**200) | st.integers(-(2**200), -(2**63) - 1))
def test_integers_beyond_64_bits_are_read_as_their_digits(big: int) -> None:
    """So that a payload holding one can still be refused per field and quarantined as sent:
    JSON columns (and orjson) hold at most 64-bit integers."""
    body = seal_request(OPERATOR, {"Status": big, "N": [big]}, SECRETS, timestamp="20261009120000",
                        seq="0001")  # fmt: skip
    assert open_request(body, known) == (OPERATOR, {"Status": str(big), "N": [str(big)]})
