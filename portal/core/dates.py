"""Business dates are Tokyo dates; stored timestamps are UTC (see models.base.utcnow)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")
# The dates the portal deals in. Anything typed outside is a mistake, and inside there is always
# a day and a month on either side to link to.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def business_today() -> date:
    """Today in Tokyo: what decides expiry, bookable days and cut-offs."""
    return datetime.now(TOKYO).date()


def week_of(day: date) -> tuple[date, date]:
    """The Monday and Sunday of `day`'s week: the week a waiting request for any session may take."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


def in_business_range(day: date) -> bool:
    """Whether `day` is one the portal deals in (EARLIEST to LATEST)."""
    return EARLIEST <= day <= LATEST


def _date(year: str, month: str, day: str = "01") -> date | None:
    try:
        found = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if in_business_range(found) else None


def parse_day(text: str) -> date | None:
    """A day written YYYY-MM-DD that the portal deals in, else None (URLs have one spelling per day)."""
    match = ISO_DAY.fullmatch(text)
    return _date(*match.groups()) if match else None


def parse_month(text: str) -> date | None:
    """The first day of a month written YYYY-MM that the portal deals in, else None."""
    match = ISO_MONTH.fullmatch(text)
    return _date(*match.groups()) if match else None


def tokyo_text(stored: datetime) -> str:
    """A stored (naive UTC) time as read in Tokyo, for files: 2026-12-01 10:23 (sorts as text too)."""
    return stored.replace(tzinfo=UTC).astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")
