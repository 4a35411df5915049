"""The reminder the day before: each booking's sealed details are opened for its email, once.

Every opening is an audit event. The message holds the date, venue, reference and the manage
link (from the sealed `manage_secret`), nothing else the visitor gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from portal.core import mail
from portal.core.dates import business_today
from portal.core.i18n import long_date
from portal.core.models import Booking, ConsultationSession
from portal.core.models.reservations import SEAT_HOLDING, BookingStatus
from portal.core.reservations import bookings_with_places
from portal.core.visitor_mail import booking_message
from portal.staff import audit
from portal.staff.bookings.opening import opened

# A place offered from the waiting list is not the visitor's until they accept it.
REMINDED = tuple(status for status in SEAT_HOLDING if status != BookingStatus.OFFERED)


@dataclass
class Outcome:
    """How many messages went out, and how many the SMTP server did not take."""

    sent: int = 0
    failed: int = 0


def _due(day: date) -> list[Booking]:
    return list(
        bookings_with_places()
        .where(
            ConsultationSession.date == day,
            Booking.status.in_(REMINDED),
            Booking.reminder_sent_on.is_null(),
            Booking.sealed.is_null(False),
        )
        .order_by(Booking.id)
    )


def _mark(booking: Booking, sent_on: date | None) -> bool:
    """Claim the booking (or give the claim back); False if another run claimed it first."""
    claimed = Booking.reminder_sent_on.is_null() if sent_on else Booking.reminder_sent_on.is_null(False)
    return bool(Booking.update(reminder_sent_on=sent_on).where(Booking.id == booking.id, claimed).execute())


def send_reminders(day: date) -> Outcome:
    """Remind every visitor with an email of their booking on `day`; a failed one is tried next run."""
    outcome = Outcome()
    for booking in _due(day):
        if not _mark(booking, business_today()):
            continue
        person = opened(booking, "booking.remind")
        if not person.get("email"):
            _mark(booking, None)
            continue
        try:
            message = booking_message(
                person["email"],
                _(
                    "【中小企業支援センター】%(date)sのご相談のお知らせ（%(reference)s）",
                    date=long_date(day),
                    reference=booking.reference,
                ),
                _("ご予約いただいている相談の日時をお知らせします。"),
                booking,
                person.get("manage_secret"),
            )
            mail.send(message, "reminder")
        except mail.MailError:
            _mark(booking, None)
            audit.record("mail.reminder", outcome="failed", object_type="booking", object_id=booking.id)
            outcome.failed += 1
        else:
            audit.record("mail.reminder", object_type="booking", object_id=booking.id)
            outcome.sent += 1
    return outcome
