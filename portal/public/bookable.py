"""What a visitor can book now: open sessions with places left, from today on.

The front page lists the next few, and the calendar opens on the first month that holds one,
so nobody lands on an empty month when there is something to book.
"""

from __future__ import annotations

from datetime import date

from portal.core.models import ConsultationSession
from portal.core.reservations import open_sessions

NEXT_ON_FRONT_PAGE = 5


def bookable_sessions(start: date, ward: str | None = None):
    """Open sessions with places left from `start` on, in date order."""
    return open_sessions(start, date.max, ward).where(
        ConsultationSession.taken < ConsultationSession.capacity
    )


def next_bookable(today: date, limit: int = NEXT_ON_FRONT_PAGE) -> list[ConsultationSession]:
    """The next sessions a visitor can book, soonest first."""
    return list(bookable_sessions(today).limit(limit))


def first_bookable_month(start: date, ward: str | None = None) -> date | None:
    """The first day of the first month, from `start` on, with a session a visitor can book."""
    first = bookable_sessions(start, ward).first()
    return first.date.replace(day=1) if first else None
