"""The call counter: calls taken, bookings made and enquiries, per day, for the daily report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from peewee import fn

from portal.core.models import CallEvent


@dataclass(frozen=True)
class CallCount:
    """One day's calls."""

    bookings: int = 0
    enquiries: int = 0

    @property
    def calls(self) -> int:
        """Every call ends in a booking or is an enquiry."""
        return self.bookings + self.enquiries


def record(day: date, kind: str, user_id: int) -> None:
    """Count one call of `kind` ("booking" or "enquiry")."""
    CallEvent.create(day=day, kind=kind, taken_by=user_id)


def count(day: date) -> CallCount:
    """The day's calls, over every operator."""
    rows = dict(
        CallEvent.select(CallEvent.kind, fn.COUNT(CallEvent.id))
        .where(CallEvent.day == day)
        .group_by(CallEvent.kind)
        .tuples()
    )
    return CallCount(bookings=rows.get("booking", 0), enquiries=rows.get("enquiry", 0))
