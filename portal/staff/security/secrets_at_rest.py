"""Authenticated encryption of small secrets kept in the database (TOTP seeds).

Each value is bound to its row and purpose through associated data, so a ciphertext copied
into another row does not open.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app

FORMAT = b"\x01"
KEY_FILE = "field.key"


class SecretsKeyError(Exception):
    """The key for secrets at rest is missing or malformed."""


class SecretBox:
    """AES-256-GCM with a random nonce per value."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise SecretsKeyError("the field key must be 32 bytes")
        self._aead = AESGCM(key)

    @classmethod
    def from_key_dir(cls, key_dir: Path) -> SecretBox:
        """Load the key `portal init` wrote; refuse to run without it."""
        path = key_dir / KEY_FILE
        try:
            return cls(path.read_bytes())
        except FileNotFoundError:
            raise SecretsKeyError(f"{path} is missing: run `portal init` or restore the key") from None

    def seal(self, plaintext: str, context: str) -> bytes:
        """Encrypt `plaintext` for the row and purpose named by `context`."""
        nonce = os.urandom(12)
        return FORMAT + nonce + self._aead.encrypt(nonce, plaintext.encode(), context.encode())

    def open(self, sealed: bytes, context: str) -> str:
        """Decrypt, or raise SecretsKeyError if the key or context is wrong."""
        sealed = bytes(sealed)
        if sealed[:1] != FORMAT:
            raise SecretsKeyError("unknown format")
        try:
            return self._aead.decrypt(sealed[1:13], sealed[13:], context.encode()).decode()
        except InvalidTag:
            raise SecretsKeyError("the value does not open with this key") from None


def secret_box() -> SecretBox:
    """The staff zone's key for small encrypted fields, loaded once when the staff zone started."""
    return current_app.extensions["portal.secret_box"]
