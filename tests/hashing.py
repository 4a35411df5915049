"""Argon2id at the product's cost, paid once per distinct question in a test process.

Each hash or check costs about a fifth of a second of both cores, and the suite's accounts all
share one password: paid every time, it was nearly half the time of the files that sign in most.
The answers stay argon2's own, computed with the product's parameters; only repeating them is
skipped.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.staff.security import passwords

REFUSALS = (VerificationError, InvalidHashError)  # a wrong password, a hash that is not argon2's


class RememberingChecker:
    """The product's hasher, remembering each check's verdict (a check is a pure function of the
    stored hash and the password). Its hashing is not remembered: a password the product sets gets
    a fresh salt, so a test that compares stored hashes still sees every write."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        self.verdicts: dict[tuple[str, str], bool | Exception] = {}

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        key = (stored_hash, password)
        if key not in self.verdicts:
            try:
                self.verdicts[key] = self.hasher.verify(stored_hash, password)
            except REFUSALS as error:
                self.verdicts[key] = error
        verdict = self.verdicts[key]
        if isinstance(verdict, REFUSALS):
            raise type(verdict)(*verdict.args)
        return verdict


@cache
def account_hash(password: str) -> str:
    """The hash test accounts are made with: one real argon2id hash per password and process."""
    return passwords.hash_password(password)
