"""A month of the centre's work written out by hand for the staffing and monthly report tests:
venues in two wards, sessions (one closed, some outside the month), bookings with every outcome
and channel, calls counted, a staffing plan and the figures staffed. The tests count what they
expect from these lists themselves, never through the product's queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from portal.core.database import database
from portal.core.models import (
    Booking,
    CallEvent,
    ConsultationSession,
    PhoneDay,
    PhonePlan,
    ReceptionDay,
    ReceptionPlan,
    Venue,
)

JUNE = date(2020, 6, 1)
VENUES = {  # key: (name, ward)
    "kita": ("北区役所 2階 会議室", "北区"),
    "library": ("北図書館 集会室", "北区"),
    "minami": ("南会館 和室", "南区"),
}


@dataclass(frozen=True)
class Session:
    key: str
    venue: str
    day: date
    capacity: int
    status: str = "open"


SESSIONS = (
    Session("k1", "kita", date(2020, 6, 1), 4),
    Session("k2", "kita", date(2020, 6, 15), 6),
    Session("k3", "kita", date(2020, 6, 22), 5, "closed"),  # booked, then closed to new bookings
    Session("l1", "library", date(2020, 6, 10), 3),
    Session("m1", "minami", date(2020, 6, 30), 2),
    Session("may", "kita", date(2020, 5, 29), 4),
    Session("july", "minami", date(2020, 7, 1), 4),
)


@dataclass(frozen=True)
class Seat:
    session: str
    channel: str
    status: str
    programmes: str = ""


BOOKINGS = (
    Seat("k1", "phone", "attended", "jizokuka"),
    Seat("k1", "web", "attended", "jizokuka,yachin"),
    Seat("k1", "phone", "no-show", "koyo"),
    Seat("k1", "phone", "cancelled", "yushi"),
    Seat("k2", "web", "attended", "yachin"),
    Seat("k2", "walk-in", "attended"),
    Seat("k2", "phone", "confirmed", "kinkyu"),
    Seat("k2", "phone", "no-show", "jizokuka"),
    Seat("k2", "web", "requested", "yushi"),
    Seat("k3", "web", "cancelled", "koyo"),
    Seat("k3", "phone", "attended", "koyo"),
    Seat("l1", "phone", "attended", "yushi,koyo"),
    Seat("l1", "walk-in", "attended"),
    Seat("l1", "web", "cancelled", "jizokuka"),
    Seat("m1", "phone", "attended", "kinkyu"),
    Seat("m1", "phone", "no-show"),
    Seat("may", "phone", "attended", "jizokuka"),
    Seat("july", "phone", "attended", "yachin"),
)
CALLS = (  # day, kind, how many
    (date(2020, 6, 1), "booking", 3),
    (date(2020, 6, 1), "enquiry", 2),
    (date(2020, 6, 30), "booking", 1),
    (date(2020, 5, 29), "booking", 4),
    (date(2020, 7, 1), "enquiry", 2),
)
PHONE_PLAN = {JUNE: (5, Decimal(5))}
PHONE_DAYS = {  # day: (lines, operators)
    date(2020, 6, 1): (5, Decimal(5)),
    date(2020, 6, 2): (4, Decimal(5)),
    date(2020, 6, 3): (5, Decimal("4.5")),
    date(2020, 5, 29): (2, Decimal(2)),
}
RECEPTION_PLAN = {("kita", JUNE): Decimal(2), ("library", JUNE): Decimal(1)}
RECEPTION_DAYS = {  # (venue, day): staff
    ("kita", date(2020, 6, 1)): Decimal(2),
    ("kita", date(2020, 6, 15)): Decimal(1),
    ("library", date(2020, 6, 10)): Decimal(1),
    ("minami", date(2020, 6, 30)): Decimal("1.5"),
    ("kita", date(2020, 5, 29)): Decimal(3),
}


def in_month(day: date, month: date = JUNE) -> bool:
    return (day.year, day.month) == (month.year, month.month)


def session_of(key: str) -> Session:
    return next(s for s in SESSIONS if s.key == key)


def seed(app, sessions=SESSIONS, bookings=BOOKINGS, calls=CALLS, staffing: bool = True) -> dict[str, int]:
    """The venues, sessions, bookings and calls (and the staffing, unless told not to); returns the
    venues' ids by key."""
    with app.app_context(), database.connection_context():
        venues = {
            key: Venue.create(name=name, ward=ward, address="架空市").id
            for key, (name, ward) in VENUES.items()
        }
        made = {
            s.key: ConsultationSession.create(
                venue=venues[s.venue],
                date=s.day,
                starts_at=time(10),
                ends_at=time(12),
                capacity=s.capacity,
                status=s.status,
            ).id
            for s in sessions
        }
        for number, seat in enumerate(bookings):
            Booking.create(
                session=made[seat.session],
                channel=seat.channel,
                status=seat.status,
                reference=f"T{number:03d}-TEST",
                programmes=seat.programmes,
            )
        for day, kind, count in calls:
            for _ in range(count):
                CallEvent.create(day=day, kind=kind)
        if staffing:
            for month, (lines, operators) in PHONE_PLAN.items():
                PhonePlan.create(month=month, lines=lines, operators=operators)
            for day, (lines, operators) in PHONE_DAYS.items():
                PhoneDay.create(day=day, lines=lines, operators=operators)
            for (venue, month), staff in RECEPTION_PLAN.items():
                ReceptionPlan.create(month=month, venue=venues[venue], staff=staff)
            for (venue, day), staff in RECEPTION_DAYS.items():
                ReceptionDay.create(day=day, venue=venues[venue], staff=staff)
    return venues
