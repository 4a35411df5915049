"""A booking as an iCalendar file, for the visitor's own calendar app.

It holds the date, time, venue, reference and manage link only: nothing the visitor typed.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event
from icalendar.enums import STATUS

from portal.core.dates import TOKYO
from portal.core.links import manage_url
from portal.core.models import Booking
from portal.core.models.reservations import BookingStatus

EVENT_STATUS = {BookingStatus.REQUESTED: STATUS.TENTATIVE, BookingStatus.CANCELLED: STATUS.CANCELLED}


def booking_calendar(booking: Booking, secret: str) -> bytes:
    """One event; its UID stays the same when the booking moves, so calendar apps update it."""
    session, venue = booking.session, booking.session.venue
    link = manage_url(secret)
    event = Event.new(
        uid=f"{booking.reference}@{urlsplit(current_app.config['PORTAL'].public_url).hostname}",
        start=datetime.combine(session.date, session.starts_at, TOKYO),
        end=datetime.combine(session.date, session.ends_at, TOKYO),
        summary=_("中小企業支援センター 相談（%(venue)s）", venue=venue.name),
        location=f"{venue.name} {venue.address}",
        description=_(
            "受付番号: %(reference)s\n予約の確認・変更・取り消し: %(link)s",
            reference=booking.reference,
            link=link,
        ),
        url=link,
        status=EVENT_STATUS.get(booking.status, STATUS.CONFIRMED),
    )
    calendar = Calendar.new(prodid="-//Madoguchi//Consultation booking//JA", subcomponents=[event])
    calendar.add_missing_timezones()
    return calendar.to_ical()
