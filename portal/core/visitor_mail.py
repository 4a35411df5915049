"""What a visitor is told by email about a booking: its date, venue, reference and manage link.

Nothing the visitor typed goes into these messages, only what the public pages show anyway.
"""

from __future__ import annotations

from email.message import EmailMessage

from flask import render_template
from flask_babel import gettext as _

from portal.core import mail
from portal.core import public_log as events
from portal.core.links import manage_url
from portal.core.models import Booking


def booking_message(to: str, subject: str, intro: str, booking: Booking, secret: str | None) -> EmailMessage:
    """The message about one booking; without a manage secret it tells the visitor to call."""
    body = render_template(
        "mail/booking.txt",
        intro=intro,
        booking=booking,
        manage_link=manage_url(secret) if secret else None,
    )
    return mail.compose(to, subject, body)


def send_confirmation(booking: Booking, to: str, secret: str) -> bool:
    """Right after a web request committed: a failure is logged and audited, never raised."""
    if not mail.enabled():
        return False
    try:
        message = booking_message(
            to,
            _(
                "【中小企業支援センター】ご予約のお申し込みを受け付けました（%(reference)s）",
                reference=booking.reference,
            ),
            _("ご予約のお申し込みを受け付けました。センターで内容を確認し、予約を確定します。"),
            booking,
            secret,
        )
        mail.send(message, "confirmation")
    except mail.MailError:
        events.log("mail.confirmation", outcome="failed", object_type="booking", object_id=booking.id)
        return False
    events.log("mail.confirmation", object_type="booking", object_id=booking.id)
    return True
