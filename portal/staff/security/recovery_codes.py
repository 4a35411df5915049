"""Recovery codes: ten one-time codes that stand in for a lost authenticator.

Each holds 120 bits (24 letters of a 32-letter alphabet, read aloud in groups of four) and is
stored only as argon2id with its own salt, so a copy of the database yields no usable code.
Codes of the earlier form (ten letters, 50 bits) keep working: a migration step wrapped their
SHA-256 in argon2id, and they are checked the same way.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.core.models import RecoveryCode, User

COUNT = 10
ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
LENGTH = 24
GROUP = 4
LEGACY_LENGTH = 10
# OWASP's argon2id minimum: the codes' own entropy is what keeps them safe, and the ten hashes
# are made at enrolment, so a heavier profile would only slow every enrolment.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@dataclass(frozen=True)
class NewCodes:
    """Codes to show once, and their hashes, made before any transaction (hashing takes time)."""

    shown: list[str]
    hashes: list[str]


def new_codes() -> NewCodes:
    """Ten fresh codes: abcd-efgh-ijkl-mnop-qrst-uvwx."""
    shown = []
    for _ in range(COUNT):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        shown.append("-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP)))
    return NewCodes(shown, [_hasher.hash(_cleaned(code)) for code in shown])


def replace(user: User, codes: NewCodes) -> None:
    """The account's codes are these from now on (inside the caller's transaction)."""
    RecoveryCode.delete().where(RecoveryCode.user == user).execute()
    RecoveryCode.insert_many([{"user": user.id, "code_hash": hashed} for hashed in codes.hashes]).execute()


def redeem(user: User, code: str) -> bool:
    """Use one of the account's codes: True once per code, even for two requests at the same moment."""
    candidate = _candidate(_cleaned(code))
    if candidate is None:
        return False
    for row in RecoveryCode.select().where(RecoveryCode.user == user):
        if _matches(row.code_hash, candidate):
            return RecoveryCode.delete().where(RecoveryCode.id == row.id).execute() == 1
    return False


def _cleaned(code: str) -> str:
    # NFKC: a Japanese input method left in full-width mode types ａｂｃ and －.
    return unicodedata.normalize("NFKC", code).strip().lower().replace("-", "").replace(" ", "")


def _candidate(cleaned: str) -> str | None:
    """What the stored hash covers: the code itself, or an earlier code's SHA-256 (see the module)."""
    if not set(cleaned) <= set(ALPHABET):
        return None
    if len(cleaned) == LENGTH:
        return cleaned
    if len(cleaned) == LEGACY_LENGTH:
        return hashlib.sha256(cleaned.encode()).hexdigest()
    return None


def _matches(stored: str, candidate: str) -> bool:
    try:
        return _hasher.verify(stored, candidate)
    except (VerificationError, InvalidHashError):
        return False
