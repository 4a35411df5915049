"""Progressive refusal after failed sign-ins, per account and per client address.

Refusal is by time (blocked until), never by sleeping in a request thread. The delay
doubles with each failure past a free allowance and is capped. An account's count is kept
per client address, so an attacker elsewhere cannot lock the real user out; the address's
own count catches one address trying many accounts. A success clears the account's count.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from portal.database import write_transaction
from portal.models import Throttle
from portal.models.accounts import is_blocked
from portal.models.base import utcnow

ACCOUNT_ALLOWANCE = 5
ADDRESS_ALLOWANCE = 20
MAX_DELAY = timedelta(minutes=15)


def account_key(secret: str, email: str, address: str) -> str:
    """A key for one account from one address that does not store the email itself."""
    message = f"{email.strip().lower()}\n{address}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256)
    return "account:" + digest.hexdigest()[:64]


def address_key(address: str) -> str:
    """A key for the client address."""
    return "address:" + address


def _delay(failures: int, allowance: int) -> timedelta | None:
    if failures < allowance:
        return None
    return min(timedelta(seconds=2 ** (failures - allowance)), MAX_DELAY)


def blocked(*keys: str) -> bool:
    """Whether any of the keys is refused right now."""
    now = utcnow()
    return any(is_blocked(t, now) for t in Throttle.select().where(Throttle.key.in_(keys)))


def register_failure(key: str, allowance: int) -> None:
    """Count one failure and push the refusal time out."""
    now = utcnow()
    with write_transaction():
        throttle, _ = Throttle.get_or_create(key=key)
        throttle.failures += 1
        delay = _delay(throttle.failures, allowance)
        throttle.blocked_until = now + delay if delay else None
        throttle.updated_at = now
        throttle.save()


def clear(key: str) -> None:
    """Forget an account's failures after it signed in."""
    Throttle.delete().where(Throttle.key == key).execute()
