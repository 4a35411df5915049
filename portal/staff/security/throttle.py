"""Refusal after failed sign-ins: per account and per client address, and per account across addresses.

Refusal is by time (blocked until), never by sleeping in a request thread. Each attempt is
counted, under a row lock, before the password or code is checked, so parallel guesses cannot
all slip through one check; a success takes its count back. Rows live in the database, so every
process of the staff instance counts against the same ones.

Most keys double their delay with each failure past a free allowance, capped. An account's
count is kept per client address, so an attacker elsewhere cannot lock the real user out; the
address's own count catches one address trying many accounts (IPv6 clients are counted per /64,
which one client controls). Wrong second-factor codes are also counted per account from every
address in a window: whoever sends them knows the password already, so the failure that fills
the window pauses the account's code entry (see portal/staff/auth/code_pause.py for what follows).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.core.database import locked, write_transaction
from portal.core.models import Throttle
from portal.core.models.accounts import is_blocked
from portal.core.models.base import utcnow

MAX_DELAY = timedelta(minutes=15)


def _delay(failures: int, allowance: int) -> timedelta | None:
    if failures < allowance:
        return None
    return min(timedelta(seconds=2 ** (failures - allowance)), MAX_DELAY)


@dataclass(frozen=True)
class Doubling:
    """`allowance` attempts free, then a refusal that doubles with each one after, up to MAX_DELAY."""

    allowance: int

    def refuses(self, row: Throttle, now: datetime) -> bool:
        """Whether the next attempt waits."""
        return is_blocked(row, now)

    def count(self, row: Throttle, now: datetime) -> None:
        """One more attempt, and the wait it earns."""
        row.failures += 1
        delay = _delay(row.failures, self.allowance)
        row.blocked_until = now + delay if delay else None


@dataclass(frozen=True)
class Window:
    """At most `failures` in `period` from the first of them; the failure that fills it pauses the key."""

    failures: int
    period: timedelta
    pause: timedelta

    def current(self, row: Throttle, now: datetime) -> bool:
        """Whether the row's counts belong to a window still open."""
        started = row.window_started_at
        return row.failures > 0 and started is not None and now - started < self.period

    def refuses(self, row: Throttle, now: datetime) -> bool:
        """Paused, or the window is full of attempts still being checked."""
        return is_blocked(row, now) or (self.current(row, now) and row.failures >= self.failures)

    def count(self, row: Throttle, now: datetime) -> None:
        """One more attempt; the first one after a quiet period opens a new window."""
        if not self.current(row, now):
            row.failures, row.window_started_at = 0, now
        row.failures += 1


Limit = Doubling | Window

# Decisions. A password (or a code) from one address for one account: five free attempts.
ACCOUNT_ALLOWANCE = 5
ACCOUNT = Doubling(ACCOUNT_ALLOWANCE)
# One address, whatever accounts it tries: twenty.
ADDRESS_ALLOWANCE = 20
ADDRESS = Doubling(ADDRESS_ALLOWANCE)
# Wrong codes for one account from every address together: the tenth within an hour of the first
# pauses its code entry for an hour. Staying under it leaves nine guesses per hour-long window.
ACCOUNT_CODES = Window(failures=10, period=timedelta(hours=1), pause=timedelta(hours=1))


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


def codes_key(user_id: int) -> str:
    """A key for one account's second-factor codes, from any address."""
    return f"codes:{user_id}"


def _locked_row(key: str) -> Throttle:
    Throttle.insert(key=key).on_conflict_ignore().execute()
    query = Throttle.select().where(Throttle.key == key)
    return locked(query).get()


def attempt(limits: Mapping[str, Limit]) -> bool:
    """Count one attempt against each key (key → its limit); False, counting nothing, if refused."""
    now = utcnow()
    with write_transaction():
        rows = {key: _locked_row(key) for key in sorted(limits)}
        if any(limits[key].refuses(row, now) for key, row in rows.items()):
            return False
        for key, row in rows.items():
            limits[key].count(row, now)
            row.updated_at = now
            row.save()
    return True


def pause_if_full(key: str, window: Window) -> datetime | None:
    """After a failure: if the window's failures are all in, pause the key and return until when.

    Only the call that starts a pause gets a time back; the pause ends with a fresh window.
    """
    now = utcnow()
    with write_transaction():
        row = _locked_row(key)
        if is_blocked(row, now) or not window.current(row, now) or row.failures < window.failures:
            return None
        row.failures, row.window_started_at = 0, None
        row.blocked_until, row.updated_at = now + window.pause, now
        row.save()
    return row.blocked_until


def blocked_until(key: str) -> datetime | None:
    """Until when `key` is refused, if it is now."""
    row = Throttle.get_or_none(Throttle.key == key)
    return row.blocked_until if is_blocked(row, utcnow()) else None


def take_back(key: str) -> None:
    """A counted attempt succeeded: it is not a failure (the window's other counts stay)."""
    counted = (Throttle.key == key) & (Throttle.failures > 0)
    Throttle.update(failures=Throttle.failures - 1).where(counted).execute()


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
