"""TOTP second factor: a code is accepted once (recovery codes for a lost device: recovery_codes.py)."""

from __future__ import annotations

import secrets
import time
import unicodedata

import pyotp

ISSUER = "Madoguchi"
STEP_SECONDS = 30


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def now() -> float:
    """The time codes are checked against: the system clock, in one place so tests can hold it still."""
    return time.time()


def matching_step(secret: str, code: str, last_step: int) -> int | None:
    """The time step `code` belongs to, if it is valid and newer than the last one used.

    One step of clock drift either way is allowed; a step at or before `last_step` is a replay.
    """
    # NFKC: a Japanese input method left in full-width mode types ０-９.
    code = unicodedata.normalize("NFKC", code).strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now() // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if step > last_step and secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None
