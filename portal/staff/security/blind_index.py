"""Blind indexes: keyed hashes that find equal values without the database holding them.

The key is derived from the field key (HKDF, its own purpose label), so it lives only in the
staff zone. A copy of the database cannot be searched by hashing guessed phone numbers.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from portal.staff.security.secrets_at_rest import KEY_FILE

PURPOSE = b"madoguchi blind index v1"


class BlindIndex:
    """HMAC-SHA-256 under a key of its own, one namespace per kind of value."""

    def __init__(self, field_key: bytes) -> None:
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(field_key)

    @classmethod
    def from_key_dir(cls, key_dir: Path) -> BlindIndex:
        """Derived from the field key `portal init` wrote."""
        return cls((key_dir / KEY_FILE).read_bytes())

    def digest(self, kind: str, normalised: str) -> str | None:
        """The index of an already normalised value; None for an empty one (nothing to match)."""
        if not normalised:
            return None
        return hmac.new(self._key, f"{kind}\0{normalised}".encode(), hashlib.sha256).hexdigest()
