"""The staff zone's side of reservations: calls taken, list notices and repeat-caller indexes."""

from __future__ import annotations

from peewee import CharField, DateField, DateTimeField, ForeignKeyField

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
