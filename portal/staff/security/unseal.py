"""Opening what the public instance sealed: only the staff zone holds the private key."""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from portal.core.settings import ConfigError

KEY_FILE = "seal.key"


class Unsealer:
    """libsodium sealed boxes, opened with the staff zone's private key."""

    def __init__(self, key_dir: Path) -> None:
        try:
            self._box = SealedBox(PrivateKey((key_dir / KEY_FILE).read_bytes()))
        except (OSError, ValueError) as error:
            raise ConfigError(f"PORTAL_KEY_DIR: {key_dir / KEY_FILE} is not usable: {error}") from None

    def open(self, sealed: bytes) -> dict:
        """The payload a visitor submitted; raises ValueError if it does not open."""
        try:
            return json.loads(self._box.decrypt(bytes(sealed)))
        except CryptoError:
            raise ValueError("the sealed data does not open with this key") from None


def unsealer() -> Unsealer:
    """The staff zone's unsealer: the only holder of the sealing private key."""
    return current_app.extensions["portal.unsealer"]
