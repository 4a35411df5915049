"""Sealing a booking's personal data to the staff zone's public key.

The public instance holds only the public half: what it seals, only the staff zone can open.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app
from nacl.public import PublicKey, SealedBox

from portal.core.settings import ConfigError


class Sealer:
    """Anonymous public-key encryption (libsodium sealed boxes) to one recipient."""

    def __init__(self, public_key_file: Path) -> None:
        try:
            self._box = SealedBox(PublicKey(public_key_file.read_bytes()))
        except (OSError, ValueError) as error:
            raise ConfigError(f"PORTAL_SEAL_PUBLIC_KEY: {public_key_file} is not usable: {error}") from None

    def seal(self, payload: dict) -> bytes:
        """The payload as JSON, sealed."""
        return self._box.encrypt(json.dumps(payload, ensure_ascii=False).encode())


def sealer() -> Sealer:
    """This instance's sealer (both zones hold one: sealing needs only the public key)."""
    return current_app.extensions["portal.sealer"]
