"""Password hashing (argon2id) and the policy for new passwords."""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from portal.staff.security.context_words import built_from_context, context_words

MIN_LENGTH = 12
MAX_LENGTH = 256

_hasher = PasswordHasher()

PASSWORD_PROBLEMS = {
    "too_short": _l("パスワードは12文字以上にしてください。"),
    "too_long": _l("パスワードは256文字以内にしてください。"),
    "too_common": _l("このパスワードはよく使われているため、推測されやすく使えません。"),
    "context": _l(
        "サービス名、組織名、メールアドレスなど、このポータルに関係する語から推測されやすいパスワードは使えません。"
    ),
    "unchanged": _l("今までのパスワードとは違うパスワードにしてください。"),
}


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified when the email is unknown, so a miss costs the same time as a wrong password.
    return _hasher.hash(secrets.token_urlsafe(16))


def normalise(password: str) -> str:
    """NFKC, so the same Japanese password typed with full- or half-width forms matches."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    """An argon2id hash of the normalised password."""
    return _hasher.hash(normalise(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), normalise(password)) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords from published breach corpora.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def policy_problem(password: str, email: str = "") -> str | None:
    """Why a new password is refused, or None; messages are msgids for translation."""
    text = normalise(password)
    if len(text) < MIN_LENGTH:
        return "too_short"
    if len(text) > MAX_LENGTH:
        return "too_long"
    lowered = text.lower()
    local_part = email.split("@", 1)[0].lower()
    if lowered in _common_passwords() or (local_part and local_part in lowered):
        return "too_common"
    if len(set(lowered)) < 4:
        return "too_common"
    if built_from_context(text, context_words(email)):
        return "context"
    return None


def replacement_problem(password: str, email: str, current_hash: str) -> str | None:
    """Why a password cannot replace the current one: the policy, and it must be a different one."""
    problem = policy_problem(password, email)
    if problem is None and verify_password(current_hash, password):
        return "unchanged"
    return problem


def generate_password() -> str:
    """A random password for accounts made by the CLI or an administrator."""
    return secrets.token_urlsafe(18)
