"""Manage links asked for again on the public site: each sealed request is checked against the booking
it names, and the link goes only to the email address that booking holds.

The public zone sealed the request and cannot read it back, so only here is it known whether the
details matched. Each request is taken (deleted) before it is handled, so two runs never mail
twice; a request whose mail the SMTP server refused is put back for the next run. Every opening
of a booking's details is audited, and a booking gets at most one such mail an hour, so nobody can
fill a visitor's inbox by asking again and again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _

from portal.core import mail, normalise
from portal.core.dates import business_today
from portal.core.models import AuditEvent, Booking, ManageLinkRequest
from portal.core.models.base import utcnow
from portal.core.reservations import bookings_with_places
from portal.core.visitor_mail import booking_message
from portal.staff import audit
from portal.staff.bookings.opening import opened
from portal.staff.security.unseal import unsealer

BATCH = 200
RESEND_AFTER = timedelta(hours=1)
MAIL_ACTION = "mail.manage_link"


@dataclass
class Outcome:
    """Links mailed, requests that matched no booking (or one without an email), and refusals."""

    sent: int = 0
    unmatched: int = 0
    failed: int = 0


def _take(row: ManageLinkRequest) -> bool:
    """Remove the request; False if another run took it first."""
    return bool(ManageLinkRequest.delete().where(ManageLinkRequest.id == row.id).execute())


def _put_back(row: ManageLinkRequest) -> None:
    ManageLinkRequest.insert(sealed=row.sealed, created_at=row.created_at).execute()


def _booking(reference: str | None) -> Booking | None:
    """The web booking a reference names, while its manage link is valid."""
    if not reference:
        return None
    return (
        bookings_with_places()
        .where(
            Booking.reference == reference,
            Booking.sealed.is_null(False),
            Booking.manage_hash.is_null(False),
            Booking.manage_valid_until >= business_today(),
        )
        .first()
    )


def same_contact(person: dict, typed: str) -> bool:
    """Whether the typed email or phone number is the one the booking holds, however it was typed."""
    if "@" in typed:
        return bool(person.get("email")) and normalise.email(typed) == normalise.email(person["email"])
    digits = normalise.phone(typed)
    return digits.isdigit() and digits == person.get("phone")


def _mailed_lately(booking: Booking) -> bool:
    return (
        AuditEvent.select()
        .where(
            AuditEvent.action == MAIL_ACTION,
            AuditEvent.object_type == "booking",
            AuditEvent.object_id == str(booking.id),
            AuditEvent.outcome == "ok",
            AuditEvent.at >= utcnow() - RESEND_AFTER,
        )
        .exists()
    )


def _check(outcome: str, booking: Booking | None, outcomes: Outcome) -> None:
    """Audit a request that sends nothing: `outcome` says why, the booking (if any) is named by id."""
    audit.record(
        "manage_link.check",
        outcome=outcome,
        object_type="booking" if booking else None,
        object_id=booking.id if booking else None,
    )
    outcomes.unmatched += 1


def send_lost_links() -> Outcome:
    """Handle every waiting request: mail the link where the details match a booking with an email."""
    outcomes = Outcome()
    for row in list(ManageLinkRequest.select().order_by(ManageLinkRequest.id).limit(BATCH)):
        if not _take(row):
            continue
        try:
            asked = unsealer().open(row.sealed)
        except ValueError:
            _check("unreadable", None, outcomes)
            continue
        booking = _booking(normalise.reference(asked.get("reference")))
        person = opened(booking, "booking.manage_link") if booking else {}
        if not booking or not same_contact(person, str(asked.get("contact", ""))):
            _check("unmatched", booking, outcomes)
        elif not person.get("email") or not person.get("manage_secret"):
            _check("no-email", booking, outcomes)
        elif _mailed_lately(booking):
            _check("repeated", booking, outcomes)
        else:
            _mail(row, booking, person, outcomes)
    return outcomes


def _mail(row: ManageLinkRequest, booking: Booking, person: dict, outcomes: Outcome) -> None:
    try:
        message = booking_message(
            person["email"],
            _(
                "【中小企業支援センター】予約確認用のリンクをお送りします（%(reference)s）",
                reference=booking.reference,
            ),
            _(
                "予約確認用のリンクの再送を受け付けました。お心当たりのない場合は、このメールを破棄してください。"
                "予約はそのまま変わりません。"
            ),
            booking,
            person["manage_secret"],
        )
        mail.send(message, "manage link")
    except mail.MailError:
        _put_back(row)
        audit.record(MAIL_ACTION, outcome="failed", object_type="booking", object_id=booking.id)
        outcomes.failed += 1
    else:
        audit.record(MAIL_ACTION, object_type="booking", object_id=booking.id)
        outcomes.sent += 1
