"""WeChat server signatures and "safe mode" message encryption, per the published protocol.

- Server signature: sha1 of the sorted concatenation of token, timestamp and nonce.
- Message signature: sha1 of the sorted concatenation of token, timestamp, nonce and the
  encrypted text.
- Encryption: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = first 16 key bytes, PKCS#7
  padding to 32-byte blocks; plaintext = 16 random bytes + 4-byte big-endian length + message
  + AppID (checked on decryption).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct
from typing import Any

from Crypto.Cipher import AES

BLOCK = 32


class WeChatCryptoError(ValueError):
    """A signature, key or ciphertext that does not check out."""


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, str(given).lower())


def pkcs7_pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def pkcs7_unpad(data: bytes) -> bytes:
    if not data:
        raise WeChatCryptoError("empty plaintext")
    n = data[-1]
    if not 1 <= n <= BLOCK or data[-n:] != bytes([n]) * n:
        raise WeChatCryptoError("bad padding")
    return data[:-n]


class WeChatCrypto:
    def __init__(self, token: str, encoding_aes_key: str, app_id: str) -> None:
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except (binascii.Error, ValueError) as exc:
            raise WeChatCryptoError("EncodingAESKey is not valid base64") from exc
        if len(key) != 32:
            raise WeChatCryptoError("EncodingAESKey must be 43 characters (32 bytes)")
        self.token = token
        self.key = key
        self.app_id = app_id

    def _cipher(self) -> Any:  # pycryptodome builds the cipher class at run time
        return AES.new(self.key, AES.MODE_CBC, self.key[:16])

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        body = message.encode("utf-8")
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.app_id.encode()
        return base64.b64encode(self._cipher().encrypt(pkcs7_pad(plain))).decode("ascii")

    def decrypt(self, encrypted: str) -> bytes:
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise WeChatCryptoError("ciphertext is not base64") from exc
        if not raw or len(raw) % 16:
            raise WeChatCryptoError("ciphertext length")
        plain = pkcs7_unpad(self._cipher().decrypt(raw))
        if len(plain) < 20:
            raise WeChatCryptoError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        message, app_id = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length or not hmac.compare_digest(app_id, self.app_id.encode()):
            raise WeChatCryptoError("AppID mismatch")
        return message

    def msg_signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return sha1_signature(self.token, timestamp, nonce, encrypted)
