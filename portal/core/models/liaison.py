"""The staff zone's side of reservations: calls taken, list notices and repeat-caller indexes."""

from __future__ import annotations

from peewee import CharField, CompositeKey, DateField, DateTimeField, ForeignKeyField, IntegerField

from portal.core.models.accounts import User
from portal.core.models.base import BaseModel, CrossStoreKey, utcnow
from portal.core.models.reservations import Booking


class BookingIndex(BaseModel):
    """Keyed hashes (blind indexes) of a booking's normalised phone, email and kana.

    Staff find repeat callers with them without any store holding the values. They live in the
    staff store: the public zone cannot compute them and must not hold them.
    """

    booking = CrossStoreKey(Booking, primary_key=True, backref="+")
    phone_index = CharField(max_length=64, null=True, index=True)
    email_index = CharField(max_length=64, null=True, index=True)
    kana_index = CharField(max_length=64, null=True, index=True)
    # Which version of the name tokens (BookingNameToken) the booking has; 0 until they are written.
    name_tokens = IntegerField(default=0, index=True)


class BookingNameToken(BaseModel):
    """Shortened keyed hashes of the two-character pieces of a booking's names and readings.

    Staff find a booking by part of a name, reading or business name with them. A token is four
    hex digits of an HMAC, so each stands for many different pieces and none proves a name; the
    bookings a search finds are opened and checked before they are shown. Equal pieces in two
    bookings share a token: a copy of the store can count them, never read them. Staff store only.
    """

    booking = CrossStoreKey(Booking, backref="+")
    token = CharField(max_length=4)

    class Meta:
        primary_key = CompositeKey("token", "booking")


class CallEvent(BaseModel):
    """A phone call taken by the operator (a booking made, or an enquiry only): the call counter."""

    day = DateField(index=True)
    kind = CharField(max_length=10)  # "booking" or "enquiry"
    taken_by = ForeignKeyField(User, null=True, backref="calls", on_delete="SET NULL")
    at = DateTimeField(default=utcnow)


class ListNotice(BaseModel):
    """The notice that a day's list is ready went out once, at this time."""

    day = DateField(unique=True)
    sent_at = DateTimeField(default=utcnow)
