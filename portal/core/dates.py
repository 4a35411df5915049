"""Business dates are Tokyo dates; stored timestamps are UTC (see models.base.utcnow)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")


def business_today() -> date:
    """Today in Tokyo: what decides expiry, bookable days and cut-offs."""
    return datetime.now(TOKYO).date()
