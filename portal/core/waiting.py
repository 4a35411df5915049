"""Ending a place offered from the waiting list: accepted or declined by the visitor, or run out.

The visitor answers through the link in their email (the public zone); an offer nobody answered
in time is ended by the staff zone's sweep. Each ending is claimed by one conditional UPDATE of
the offer (no answer yet) in the same transaction as what it does to the booking, so an
acceptance and the expiry can never both happen. Nothing here reads a sealed column, so the
public zone's role runs it with its own grants.
"""

from __future__ import annotations

from peewee import Expression

from portal.core.database import write_transaction
from portal.core.models import Booking, ConsultationSession, Venue, WaitingOffer, WaitingRequest
from portal.core.models.base import utcnow
from portal.core.models.reservations import PUBLIC_BOOKING_FIELDS, BookingStatus
from portal.core.models.waiting import OfferAnswer, WaitingStatus
from portal.core.reservations import cancel, manage_hash


class _Gone(Exception):
    """The offer was answered or ran out, or its place was taken back, in the meantime."""


def open_offer(secret: str) -> WaitingOffer | None:
    """The offer an emailed link names, with its session and venue, while it may still be answered.

    Offer secrets are 128-bit random strings like manage secrets, and are kept hashed the same way.
    """
    return (
        WaitingOffer.select(WaitingOffer, *PUBLIC_BOOKING_FIELDS, ConsultationSession, Venue)
        .join(Booking)
        .join(ConsultationSession)
        .join(Venue)
        .where(
            WaitingOffer.offer_hash == manage_hash(secret),
            WaitingOffer.answer.is_null(),
            WaitingOffer.valid_until > utcnow(),
            Booking.status == BookingStatus.OFFERED,
        )
        .first()
    )


def accept(offer: WaitingOffer) -> bool:
    """The visitor takes the place: the booking is confirmed and its manage link opens until the day.

    Confirmed rather than requested: the operator read the request before offering the place.
    """
    try:
        with write_transaction():
            _claim(offer, OfferAnswer.ACCEPTED, WaitingOffer.valid_until > utcnow())
            confirmed = (
                Booking.update(status=BookingStatus.CONFIRMED, manage_valid_until=offer.booking.session.date)
                .where(Booking.id == offer.booking_id, Booking.status == BookingStatus.OFFERED)
                .execute()
            )
            if not confirmed:
                raise _Gone
            _request_becomes(offer, WaitingStatus.BOOKED)
    except _Gone:
        return False
    return True


def decline(offer: WaitingOffer) -> bool:
    """The visitor does not want the place: it goes back to everyone, and the request ends."""
    return _give_back(
        offer, OfferAnswer.DECLINED, WaitingStatus.DECLINED, WaitingOffer.valid_until > utcnow()
    )


def expire(offer: WaitingOffer) -> bool:
    """Nobody answered in time: the place goes back to everyone, and the request ends."""
    return _give_back(offer, OfferAnswer.EXPIRED, WaitingStatus.EXPIRED, WaitingOffer.valid_until <= utcnow())


def _give_back(offer: WaitingOffer, answer: str, status: str, when: Expression) -> bool:
    try:
        with write_transaction():
            _claim(offer, answer, when)
            cancel(offer.booking)
            _request_becomes(offer, status)
    except _Gone:
        return False
    return True


def _claim(offer: WaitingOffer, answer: str, when: Expression) -> None:
    """Answer the offer, unless it has an answer already or `when` does not hold; else _Gone."""
    claimed = (
        WaitingOffer.update(answer=answer, answered_at=utcnow())
        .where(WaitingOffer.id == offer.id, WaitingOffer.answer.is_null(), when)
        .execute()
    )
    if not claimed:
        raise _Gone


def _request_becomes(offer: WaitingOffer, status: str) -> None:
    WaitingRequest.update(status=status).where(WaitingRequest.id == offer.request_id).execute()
