"""JWT tamper suite: every forged, altered or misissued token is 401 (or 403 for a missing
scope), never a 500 and never a read."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Awaitable, Callable

import httpx
import orjson
import pytest
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import ECKey

from app.core.db import Database
from tests.fixtures.auth import mint_token

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict[str, object], dict[str, object], str]:
    header, payload, signature = token.split(".")
    return orjson.loads(_unb64(header)), orjson.loads(_unb64(payload)), signature


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _unsigned(header: dict[str, object], payload: dict[str, object], signature: str = "") -> str:
    return f"{_b64(orjson.dumps(header))}.{_b64(orjson.dumps(payload))}.{signature}"


async def _valid(app: FastAPI) -> str:
    return await mint_token(app)


async def _alg_none(app: FastAPI) -> str:
    header, payload, _ = _parts(await _valid(app))
    return _unsigned({**header, "alg": "none"}, payload)


async def _hs256_with_public_key(app: FastAPI) -> str:
    header, payload, _ = _parts(await _valid(app))
    public = (await app.state.context.auth.current()).keys.jwks["keys"][1]
    secret = orjson.dumps(public, option=orjson.OPT_SORT_KEYS)
    signing_input = (
        f"{_b64(orjson.dumps({**header, 'alg': 'HS256'}))}.{_b64(orjson.dumps(payload))}"
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


async def _unpinned_algorithm(app: FastAPI) -> str:
    """A token signed by a key of our own kid but with ES384: not the pinned algorithm."""
    key = ECKey.generate_key("P-384", private=True)
    header, payload, _ = _parts(await _valid(app))
    return jwt.encode({**header, "alg": "ES384"}, payload, key, algorithms=["ES384"])


async def _stripped_signature(app: FastAPI) -> str:
    header, payload, _ = _parts(await _valid(app))
    return _unsigned(header, payload)


async def _foreign_key_same_kid(app: FastAPI) -> str:
    header, payload, _ = _parts(await _valid(app))
    return jwt.encode(header, payload, ECKey.generate_key("P-256", private=True))


async def _flipped_payload_bit(app: FastAPI) -> str:
    header, payload, signature = (await _valid(app)).split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[len(raw) // 2] ^= 0x01
    return f"{header}.{_b64(bytes(raw))}.{signature}"


def _minted(**options: object) -> Callable[[FastAPI], Awaitable[str]]:
    async def make(app: FastAPI) -> str:
        return await mint_token(app, **options)  # type: ignore[arg-type]

    return make


async def _oversized(app: FastAPI) -> str:
    return await mint_token(app, padding="x" * 9000)


CASES: dict[str, Callable[[FastAPI], Awaitable[str]]] = {
    "alg none": _alg_none,
    "HS256 signed with the public key": _hs256_with_public_key,
    "an unpinned algorithm (ES384)": _unpinned_algorithm,
    "stripped signature": _stripped_signature,
    "signed by a foreign key under our kid": _foreign_key_same_kid,
    "wrong iss": _minted(iss="https://evil.example"),
    "wrong aud": _minted(aud="someone-else"),
    "expired": _minted(exp=int(time.time()) - 3600),
    "nbf in the future": _minted(nbf=int(time.time()) + 3600),
    "missing typ": _minted(header={"typ": None}),
    "typ JWT": _minted(header={"typ": "JWT"}),
    "unknown kid": _minted(header={"kid": "no-such-key"}),
    "one flipped payload bit": _flipped_payload_bit,
    "a token over 8 KB": _oversized,
    "area claim not the end of its path": _minted(area="310105", area_path="310000/"),
    # Validly signed, but claims of the wrong shape: each is a 401, never a 500.
    "scope as a JSON list": _minted(scope=["status:read", "registry:read"]),
    "scope as a number": _minted(scope=7),
    "tier unknown": _minted(overrides={"tier": "galaxy"}),
    "tier as a list": _minted(overrides={"tier": ["city"]}),
    "area as a number": _minted(overrides={"area": 310000, "area_path": "310000/"}),
    "area_path as a list": _minted(area_path=["310000/"]),
    "client_id as an object": _minted(client_id={"id": "phc_x"}),
    "client_id missing": _minted(client_id=None),
    "jti as a list": _minted(jti=["a"]),
    "exp as a string": _minted(exp="tomorrow"),
    "exp beyond any date": _minted(exp=10**30),
    "exp as a float overflowing": _minted(exp=1e308),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_tampered_tokens_are_401_never_500(
    case: str, app: FastAPI, anonymous: httpx.AsyncClient, demo_registry: Database
) -> None:
    token = await CASES[case](app)
    for path in ("/v1/board", "/v1/piles", "/v1/jurisdictions/310000"):
        response = await anonymous.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (case, path, response.text)
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_missing_scope_is_403_and_malformed_headers_are_401(
    app: FastAPI, anonymous: httpx.AsyncClient, demo_registry: Database
) -> None:
    token = await mint_token(app, scopes={"registry:read"})
    response = await anonymous.get("/v1/board", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    for header in ("Bearer", "Basic abc", "Bearer    ", f"Token {token}", "Bearer a.b"):
        response = await anonymous.get("/v1/board", headers={"Authorization": header})
        assert response.status_code == 401, header
