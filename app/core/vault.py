"""Secrets at rest (operator channels, webhook secrets, signing keys): Fernet (AES-128-CBC +
HMAC-SHA256) under a key derived from settings."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken


class SecretVault:
    def __init__(self, secret_key: str) -> None:
        # Fernet wants 32 url-safe base64 bytes; derive them so any passphrase works. The label
        # keeps its first user's name: changing it would make every stored secret unreadable.
        digest = hashlib.sha256(b"pilehub-operator-secrets:" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def __repr__(self) -> str:
        return "SecretVault(***)"

    def seal(self, values: dict[str, Any]) -> str:
        return self._fernet.encrypt(orjson.dumps(values)).decode("ascii")

    def open(self, sealed: str) -> dict[str, Any]:
        try:
            value: dict[str, Any] = orjson.loads(self._fernet.decrypt(sealed.encode("ascii")))
        except InvalidToken as exc:
            raise ValueError("operator secrets cannot be decrypted with this secret key") from exc
        return value
