"""`portal notify waiting-list`: the waiting list's work that waits for no operator.

Offers nobody answered in time give their place back; a visitor who accepted is mailed the booking
with its manage link (the public zone cannot: it cannot read the address); requests whose session
or week has passed lapse; and the sealed contact of every request that has ended is forgotten (an
accepted one lives on as its booking). Each step is an audit event per offer or request. The
mail is claimed before it is sent and the claim given back if the SMTP server refuses it, so
two runs never mail twice and the next run retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from portal.core import mail
from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession, Venue, WaitingOffer, WaitingRequest
from portal.core.models.base import utcnow
from portal.core.models.waiting import ENDED, OfferAnswer, WaitingStatus
from portal.core.visitor_mail import booking_message
from portal.core.waiting import expire
from portal.staff import audit
from portal.staff.bookings.opening import opened
from portal.staff.bookings.waiting import last_day


@dataclass
class Outcome:
    """What one run did."""

    expired: int = 0
    confirmed: int = 0
    failed: int = 0
    lapsed: int = 0
    forgotten: int = 0


def sweep_waiting_list() -> Outcome:
    """Expire, confirm, lapse and forget, in that order (an expiry ends a request to forget)."""
    outcome = Outcome()
    _expire_offers(outcome)
    _confirm_accepted(outcome)
    _lapse_requests(outcome)
    _forget_ended(outcome)
    return outcome


def _expire_offers(outcome: Outcome) -> None:
    due = WaitingOffer.select().where(WaitingOffer.answer.is_null(), WaitingOffer.valid_until <= utcnow())
    for offer in list(due.order_by(WaitingOffer.id)):
        if expire(offer):
            audit.record("waiting_offer.expire", object_type="waiting_offer", object_id=offer.id)
            outcome.expired += 1


def _claim(offer: WaitingOffer, sent_at: datetime | None) -> bool:
    """Claim the confirmation (or give the claim back); False if another run claimed it first."""
    claimed = (
        WaitingOffer.confirmation_sent_at.is_null()
        if sent_at
        else WaitingOffer.confirmation_sent_at.is_null(False)
    )
    return bool(
        WaitingOffer.update(confirmation_sent_at=sent_at)
        .where(WaitingOffer.id == offer.id, claimed)
        .execute()
    )


def _confirm_accepted(outcome: Outcome) -> None:
    due = (
        WaitingOffer.select(WaitingOffer, Booking, ConsultationSession, Venue)
        .join(Booking)
        .join(ConsultationSession)
        .join(Venue)
        .where(WaitingOffer.answer == OfferAnswer.ACCEPTED, WaitingOffer.confirmation_sent_at.is_null())
        .order_by(WaitingOffer.id)
    )
    for offer in list(due):
        if not _claim(offer, utcnow()):
            continue
        person = opened(offer.booking, "booking.waiting_confirmation")
        try:
            message = booking_message(
                person["email"],
                _(
                    "【中小企業支援センター】キャンセル待ちのご予約が確定しました（%(reference)s）",
                    reference=offer.booking.reference,
                ),
                _(
                    "キャンセル待ちのご案内にお答えいただき、ありがとうございました。次のとおり予約が確定しました。"
                ),
                offer.booking,
                person.get("manage_secret"),
            )
            mail.send(message, "waiting confirmation")
        except mail.MailError:
            _claim(offer, None)
            audit.record(
                "mail.waiting_confirmation",
                outcome="failed",
                object_type="booking",
                object_id=offer.booking_id,
            )
            outcome.failed += 1
        else:
            audit.record("mail.waiting_confirmation", object_type="booking", object_id=offer.booking_id)
            outcome.confirmed += 1


def _lapse_requests(outcome: Outcome) -> None:
    today = business_today()
    waiting = WaitingRequest.select(WaitingRequest, ConsultationSession).join(ConsultationSession)
    for request in list(waiting.where(WaitingRequest.status == WaitingStatus.WAITING)):
        if last_day(request) >= today:
            continue
        lapsed = (
            WaitingRequest.update(status=WaitingStatus.LAPSED)
            .where(WaitingRequest.id == request.id, WaitingRequest.status == WaitingStatus.WAITING)
            .execute()
        )
        if lapsed:
            audit.record("waiting_request.lapse", object_type="waiting_request", object_id=request.id)
            outcome.lapsed += 1


def _forget_ended(outcome: Outcome) -> None:
    ended = WaitingRequest.select(WaitingRequest.id).where(
        WaitingRequest.status.in_(ENDED), WaitingRequest.sealed.is_null(False)
    )
    for request in list(ended):
        WaitingRequest.update(sealed=None).where(WaitingRequest.id == request.id).execute()
        audit.record("waiting_request.forget", object_type="waiting_request", object_id=request.id)
        outcome.forgotten += 1
