"""T/CEC 102.4 payload encryption and message signatures.

* Data: AES-128-CBC, key = DataSecret, IV = DataSecretIV, PKCS5/PKCS#7 padding, standard Base64
  with `=` padding (S1 §7.3.1; ref §1.4). Both secrets are 16 ASCII characters used as raw
  UTF-8 bytes, not hex-decoded (C1 security.md; C2 AESUtils; ref §7).
* Sig: upper-case hex HMAC-MD5 keyed with SigSecret over a plain concatenation of fields
  (S1 §8.1; ref §1.5). Which fields are concatenated is the envelope's business.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.tcec.ret import Ret, TcecError

_AES_BLOCK_BYTES = 16
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True, repr=False)
class ChannelSecrets:
    """One direction's keys for one partner (S1 §4.4; ref §1.2).

    Credentials are per direction: what a partner uses to call us differs from what we use to
    call it. Partners that use one secret for several keys (X2 uses OperatorSecret for AES and
    HMAC) pass the same string more than once.
    """

    data_secret: str
    data_secret_iv: str
    sig_secret: str

    def __post_init__(self) -> None:
        # Checked once here so a misconfigured partner fails at start-up, not on the first
        # message. Messages give lengths only, never the values.
        for name in ("data_secret", "data_secret_iv"):
            size = len(getattr(self, name).encode("utf-8"))
            if size != _AES_BLOCK_BYTES:
                raise ValueError(f"{name} must be 16 bytes of UTF-8 (AES-128), got {size}")
        if not self.sig_secret:
            raise ValueError("sig_secret must not be empty")

    def __repr__(self) -> str:
        return "ChannelSecrets(***)"


def _cipher(secrets: ChannelSecrets) -> Cipher[modes.CBC]:
    key = secrets.data_secret.encode("utf-8")
    iv = secrets.data_secret_iv.encode("utf-8")
    return Cipher(algorithms.AES(key), modes.CBC(iv))


def encrypt_data(plaintext: bytes, secrets: ChannelSecrets) -> str:
    """Encrypt a payload into the envelope's `Data` string."""
    padder = padding.PKCS7(algorithms.AES.block_size).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = _cipher(secrets).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return base64.b64encode(ciphertext).decode("ascii")


def _b64decode(data: str) -> bytes:
    try:  # strict first: a regex pass over a whole answer costs more than the decoding
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        pass
    # Liberal on input: old Java encoders (commons-codec 1.4) wrap lines with CRLF and some
    # senders drop the `=` padding. The Sig has already been checked over the string as sent.
    text = _WHITESPACE.sub("", data)
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise TcecError(Ret.BAD_DATA, "Data is not valid Base64") from None


def decrypt_data(data: str, secrets: ChannelSecrets) -> bytes:
    """Decrypt an envelope's `Data` string into the plaintext bytes.

    Raises TcecError(BAD_DATA) for bad Base64, a length that is not whole AES blocks, or bad
    padding (which is what a wrong DataSecret/IV almost always produces). Callers verify the
    Sig first (C1 TcecCodec), so an unauthenticated sender never reaches the padding check and
    cannot use it as an oracle.
    """
    ciphertext = _b64decode(data)
    if not ciphertext or len(ciphertext) % _AES_BLOCK_BYTES:
        raise TcecError(Ret.BAD_DATA, "Data is not a whole number of AES blocks")
    decryptor = _cipher(secrets).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(algorithms.AES.block_size).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise TcecError(Ret.BAD_DATA, "Data does not decrypt with the agreed DataSecret") from None


def sign(sig_secret: str, *parts: str) -> str:
    """Upper-case hex HMAC-MD5 of the parts concatenated without separators (S1 §8.1)."""
    message = "".join(parts).encode("utf-8")
    return hmac.new(sig_secret.encode("utf-8"), message, hashlib.md5).hexdigest().upper()


def verify(sig_secret: str, signature: str, *parts: str) -> bool:
    """Whether `signature` matches, compared in constant time; hex case does not matter."""
    if not isinstance(signature, str):
        return False
    expected = sign(sig_secret, *parts).encode("ascii")
    return hmac.compare_digest(expected, signature.upper().encode("utf-8"))
