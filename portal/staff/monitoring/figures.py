"""The monitoring figures: pure queries over bookings, sessions and records, aggregated in SQL.

Each function takes a `Scope` (a period of consultation days, optionally one venue or one ward)
and returns plain rows, so the dashboard and a monthly report count the same way. Every figure
is counted by the day of the consultation, not the day a booking was made:

- bookings: every booking taken by phone or on the web for a consultation in the period, whatever
  became of it since (a cancelled booking was still a booking); walk-ins are counted apart;
- cancellations: those bookings now cancelled, by the visitor or declined by staff;
- no-shows: bookings reception marked as not attended;
- walk-ins: visitors seated at reception without a booking;
- utilisation: seats held (bookings that hold one, walk-ins included) against the sessions'
  capacity, whether or not a session still takes bookings;
- open follow-ups: records, not deleted, whose current version names a follow-up due date. A
  record has no "done" mark: a consultant closes a follow-up by saving a version without one (the
  record form asks for the due date exactly when a follow-up is written), so a due date in the
  current version is what still waits. Overdue ones are those due before `today`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from peewee import Case, Expression, Select, fn

from portal.core.models import Booking, ConsultationRecord, ConsultationSession, Venue
from portal.core.models.reservations import BookingStatus, Channel

BOOKED_CHANNELS = (Channel.PHONE, Channel.WEB)


@dataclass(frozen=True)
class Scope:
    """Which consultations the figures count: a period of days (both ends included), and
    optionally one venue or one ward."""

    start: date
    end: date
    venue: int | None = None
    ward: str | None = None


@dataclass(frozen=True)
class Totals:
    """The period's counts."""

    phone: int
    web: int
    cancelled: int
    no_show: int
    walk_in: int

    @property
    def booked(self) -> int:
        """Bookings by either channel."""
        return self.phone + self.web


TOTALLED = tuple(field.name for field in fields(Totals))


@dataclass(frozen=True)
class DayCounts(Totals):
    """One consultation day's counts."""

    day: date


@dataclass(frozen=True)
class Utilisation:
    """Seats held against capacity, for one day or one venue (`key`)."""

    key: object
    held: int
    capacity: int

    @property
    def rate(self) -> float | None:
        """Held seats per seat offered, or None where nothing was offered."""
        return self.held / self.capacity if self.capacity else None


@dataclass(frozen=True)
class FollowUps:
    """Open follow-ups of the period's consultations, and how many of them are past due."""

    open: int
    overdue: int


def _in_scope(query: Select, scope: Scope) -> Select:
    """`query` (which joins sessions and venues) narrowed to the scope."""
    query = query.where(ConsultationSession.date.between(scope.start, scope.end))
    if scope.venue is not None:
        query = query.where(ConsultationSession.venue == scope.venue)
    if scope.ward:
        query = query.where(Venue.ward == scope.ward)
    return query


def _number_of(condition: Expression):
    """How many rows meet `condition`, counted inside the aggregate query (0 when none)."""
    return fn.COALESCE(fn.SUM(Case(None, [(condition, 1)], 0)), 0)


COUNTED = (
    _number_of(Booking.channel == Channel.PHONE),
    _number_of(Booking.channel == Channel.WEB),
    _number_of(Booking.channel.in_(BOOKED_CHANNELS) & (Booking.status == BookingStatus.CANCELLED)),
    _number_of(Booking.channel.in_(BOOKED_CHANNELS) & (Booking.status == BookingStatus.NO_SHOW)),
    _number_of(Booking.channel == Channel.WALK_IN),
)


def _bookings(scope: Scope, *columns) -> Select:
    return _in_scope(Booking.select(*columns).join(ConsultationSession).join(Venue), scope)


def by_day(scope: Scope) -> list[DayCounts]:
    """Bookings by channel, cancellations, no-shows and walk-ins for each consultation day that
    had any booking or walk-in."""
    day = ConsultationSession.date
    rows = _bookings(scope, day, *COUNTED).group_by(day).order_by(day).tuples()
    return [DayCounts(*(int(value) for value in counts), day=found) for found, *counts in rows]


def totals(days: list[DayCounts]) -> Totals:
    """The period's counts, summed from its days: one pass over the bookings serves both."""
    return Totals(*(sum(getattr(day, name) for day in days) for name in TOTALLED))


def _seats(scope: Scope, key) -> list[Utilisation]:
    query = ConsultationSession.select(
        key, fn.SUM(ConsultationSession.taken), fn.SUM(ConsultationSession.capacity)
    ).join(Venue)
    rows = _in_scope(query, scope).group_by(key).order_by(key).tuples()
    return [Utilisation(found, int(held), int(capacity)) for found, held, capacity in rows]


def utilisation_by_day(scope: Scope) -> list[Utilisation]:
    """Seats held and offered on each day that had sessions."""
    return _seats(scope, ConsultationSession.date)


def utilisation_by_venue(scope: Scope) -> list[Utilisation]:
    """Seats held and offered at each venue that had sessions (keyed by venue id)."""
    return _seats(scope, ConsultationSession.venue)


def follow_ups(scope: Scope, today: date) -> FollowUps:
    """Open follow-ups from the period's consultations, and those due before `today`."""
    due = ConsultationRecord.follow_up_due
    query = (
        ConsultationRecord.select(fn.COUNT(ConsultationRecord.id), _number_of(due < today))
        .join(Booking, on=ConsultationRecord.booking == Booking.id)
        .join(ConsultationSession)
        .join(Venue)
        .where(ConsultationRecord.deleted_at.is_null(), due.is_null(False))
    )
    open_count, overdue = _in_scope(query, scope).tuples().get()
    return FollowUps(int(open_count), int(overdue))
