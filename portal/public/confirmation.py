"""A booking's confirmation, carried from its POST to the page the browser is redirected to.

It holds the manage secret and travels in the session cookie, which Flask signs but does not
encrypt: so it is sealed (libsodium's secretbox) under a key derived from the zone's secret key,
and is good for a few minutes only.
"""

from __future__ import annotations

import hmac
import json
import time
from typing import NamedTuple

from flask import current_app, session
from nacl.encoding import URLSafeBase64Encoder
from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

SESSION_KEY = "completed_booking"
LIFETIME_SECONDS = 600
KEY_PURPOSE = b"madoguchi booking confirmation"


class Confirmation(NamedTuple):
    """What the confirmation page shows: the reference, and the manage secret when this browser made it."""

    reference: str
    secret: str | None
    mail: str  # whether a confirmation mail was asked for and went out (see the views' MAIL_*)


def _box() -> SecretBox:
    key = hmac.digest(current_app.config["SECRET_KEY"].encode(), KEY_PURPOSE, "sha256")
    return SecretBox(key)


def keep(confirmation: Confirmation) -> None:
    """Put the confirmation in the session cookie, sealed."""
    plain = json.dumps({**confirmation._asdict(), "at": time.time()}).encode()
    session[SESSION_KEY] = _box().encrypt(plain, encoder=URLSafeBase64Encoder).decode("ascii")


def peek() -> Confirmation | None:
    """The confirmation an earlier answer left in this browser, while it is still good."""
    sealed = session.get(SESSION_KEY)
    if not isinstance(sealed, str):
        return None
    try:
        found = json.loads(_box().decrypt(sealed.encode("ascii"), encoder=URLSafeBase64Encoder))
    except (CryptoError, ValueError):
        return None
    if not 0 <= time.time() - found["at"] <= LIFETIME_SECONDS:
        return None
    return Confirmation(found["reference"], found["secret"], found.get("mail", "none"))


def take() -> Confirmation | None:
    """The confirmation, once: it leaves the cookie as its page is shown."""
    found = peek()
    session.pop(SESSION_KEY, None)
    return found
