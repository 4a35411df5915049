"""The one-time code that lets an owner enrol a new authenticator after an administrator's reset.

A lost second factor leaves only the password, which may be exactly what was stolen. So the
reset issues a code that the administrator hands over after checking who is asking, in person or
by calling the owner back on a number already on record: the same check as handing over a new
account's first password. Enrolment then needs the password and this code. It is stored as
argon2id, expires after 72 hours and is cleared when enrolment succeeds.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.core.models import User
from portal.core.models.base import utcnow

DIGITS = 12
GROUP = 4
VALID_FOR = timedelta(hours=72)
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def issue(user: User) -> str:
    """A fresh code for `user` (inside the reset's transaction), shown to the administrator once."""
    digits = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    expires = utcnow() + VALID_FOR
    User.update(enrolment_code_hash=_hasher.hash(digits), enrolment_code_expires_at=expires).where(
        User.id == user.id
    ).execute()
    return "-".join(digits[i : i + GROUP] for i in range(0, DIGITS, GROUP))


def required(user: User) -> bool:
    """Whether enrolling this account needs a code (it was reset by an administrator)."""
    return user.enrolment_code_hash is not None


def accepted(user: User, code: str) -> bool:
    """The code the administrator issued, before it expired; digits as any keyboard types them."""
    if user.enrolment_code_hash is None or user.enrolment_code_expires_at <= utcnow():
        return False
    digits = "".join(c for c in unicodedata.normalize("NFKC", code or "") if c in "0123456789")
    try:
        return len(digits) == DIGITS and _hasher.verify(user.enrolment_code_hash, digits)
    except (VerificationError, InvalidHashError):
        return False
