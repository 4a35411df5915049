"""Progressive refusal after failed sign-ins, per account and per client address.

Refusal is by time (blocked until), never by sleeping in a request thread. Each attempt is
counted, under a row lock, before the password or code is checked, so parallel guesses cannot
all slip through one check; a success takes its count back. The delay doubles with each
failure past a free allowance and is capped. An account's count is kept per client address,
so an attacker elsewhere cannot lock the real user out; the address's own count catches one
address trying many accounts (IPv6 clients are counted per /64, which one client controls).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import timedelta

from portal.core.database import locked, write_transaction
from portal.core.models import Throttle
from portal.core.models.accounts import is_blocked
from portal.core.models.base import utcnow

ACCOUNT_ALLOWANCE = 5
ADDRESS_ALLOWANCE = 20
MAX_DELAY = timedelta(minutes=15)


def account_key(secret: str, email: str, address: str) -> str:
    """A key for one account from one address that does not store the email itself."""
    message = f"{email.strip().lower()}\n{address}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256)
    return "account:" + digest.hexdigest()


def address_key(address: str) -> str:
    """A key for the client address (its /64 for IPv6)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "address:" + address[:45]
    if parsed.version == 6:
        return "address:" + str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return "address:" + str(parsed)


def _delay(failures: int, allowance: int) -> timedelta | None:
    if failures < allowance:
        return None
    return min(timedelta(seconds=2 ** (failures - allowance)), MAX_DELAY)


def _locked_row(key: str) -> Throttle:
    Throttle.insert(key=key).on_conflict_ignore().execute()
    query = Throttle.select().where(Throttle.key == key)
    return locked(query).get()


def attempt(limits: dict[str, int]) -> bool:
    """Count one attempt against each key (key → allowance); False, counting nothing, if refused."""
    now = utcnow()
    with write_transaction():
        rows = {key: _locked_row(key) for key in sorted(limits)}
        if any(is_blocked(row, now) for row in rows.values()):
            return False
        for key, row in rows.items():
            row.failures += 1
            delay = _delay(row.failures, limits[key])
            row.blocked_until = now + delay if delay else None
            row.updated_at = now
            row.save()
    return True


def forgive(address: str, account: str | None = None) -> None:
    """Take back a successful attempt: the address loses one count; a signed-in account starts afresh.

    A correct password alone does not clear the account, or it would reset the count of guessed codes.
    """
    with write_transaction():
        if account:
            Throttle.delete().where(Throttle.key == account).execute()
        Throttle.update(failures=Throttle.failures - 1, blocked_until=None).where(
            Throttle.key == address, Throttle.failures > 0
        ).execute()
