"""The waiting list for full sessions, in the public store: visitors' requests and the places offered.

A request names the session it waits for in clear (and whether any session of that venue in the
same week will do), since none of that is personal; who is waiting is sealed to the staff key, so
the public zone writes it and cannot read it back, and the staff zone forgets it once the request
has ended. An offer holds no personal data at all: the booking that keeps the place, the SHA-256
of the secret in the visitor's email, and until when it may be accepted.
"""

from __future__ import annotations

from enum import StrEnum

from peewee import BlobField, BooleanField, CharField, DateTimeField, ForeignKeyField

from portal.core.models.base import BaseModel, utcnow
from portal.core.models.reservations import Booking, ConsultationSession


class WaitingStatus(StrEnum):
    """Where a waiting request stands; the stored value is the string."""

    WAITING = "waiting"  # no place for it yet
    OFFERED = "offered"  # a place is held and the visitor has been mailed
    BOOKED = "booked"  # the visitor accepted: the booking is theirs
    DECLINED = "declined"  # the visitor declined the place, which ends the request
    EXPIRED = "expired"  # the offer was not answered in time
    LAPSED = "lapsed"  # its session (or week) passed without a place


# Requests that will never be offered anything again: their sealed contact is forgotten.
ENDED = (WaitingStatus.BOOKED, WaitingStatus.DECLINED, WaitingStatus.EXPIRED, WaitingStatus.LAPSED)


class OfferAnswer(StrEnum):
    """How an offer ended; an open offer has none."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class WaitingRequest(BaseModel):
    """Someone waiting for a place in a full session, or in any session of its venue that week."""

    session = ForeignKeyField(ConsultationSession, backref="waiting_requests", on_delete="RESTRICT")
    any_in_week = BooleanField(default=False)
    programmes = CharField(max_length=200, default="")
    sealed = BlobField(null=True)  # the contact; null once the request has ended
    idempotency_key = CharField(max_length=64, unique=True, null=True)
    status = CharField(max_length=20, default=WaitingStatus.WAITING, index=True)
    created_at = DateTimeField(default=utcnow)


class WaitingOffer(BaseModel):
    """A place held for a waiting request, and the emailed secret (hashed) that accepts or declines it."""

    request = ForeignKeyField(WaitingRequest, backref="offers", on_delete="RESTRICT")
    booking = ForeignKeyField(Booking, backref="waiting_offers", on_delete="RESTRICT")
    offer_hash = CharField(max_length=64, unique=True)
    valid_until = DateTimeField()
    answer = CharField(max_length=20, null=True)
    answered_at = DateTimeField(null=True)
    confirmation_sent_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)


WAITING_MODELS = [WaitingRequest, WaitingOffer]
# Waiting-request columns the public zone may read: all but the sealed contact, which it writes
# and never reads back.
PUBLIC_WAITING_FIELDS = tuple(f for f in WaitingRequest._meta.sorted_fields if f.name != "sealed")
