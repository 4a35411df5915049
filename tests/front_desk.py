"""Venues, sessions and sealed bookings for the staff pages' tests, made as the staff zone makes them."""

from __future__ import annotations

import html
import re
from datetime import date, time

from portal.core.models import Booking, ConsultationSession, Venue
from portal.core.reservations import book
from portal.staff.people import FIELDS, sealed_with_indexes

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def venue(name: str, ward: str = "架空区") -> Venue:
    """A venue of 架空市."""
    return Venue.create(name=name, ward=ward, address=f"架空市{ward}1-1")


def session_at(
    place: Venue, day: date, hour: int, minute: int = 0, capacity: int = 6, consultant: int | None = None
) -> ConsultationSession:
    """An hour's consultation."""
    return ConsultationSession.create(
        venue=place,
        date=day,
        starts_at=time(hour, minute),
        ends_at=time(hour + 1, minute),
        capacity=capacity,
        consultant=consultant,
    )


def seat(
    session: ConsultationSession, status: str = "confirmed", channel: str = "phone", **person: str
) -> Booking:
    """A booking with the person's details sealed and blind-indexed, as staff make one."""
    details = {**dict.fromkeys(FIELDS, ""), **person}
    return book(
        session.id, channel=channel, status=status, programmes="yachin", **sealed_with_indexes(details)
    ).booking


def confirmation_form(page: str) -> tuple[str, dict]:
    """The confirmation page's form: where it posts and everything it sends back."""
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)" class="button-row">', page)[1])
    return action, {name: html.unescape(value) for name, value in HIDDEN.findall(page)}
