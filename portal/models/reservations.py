"""Venues, consultation sessions and bookings.

A booking's personal data never sits here in clear: a web request carries it sealed to the
staff zone's public key (the public instance can write it, never read it back).
"""

from __future__ import annotations

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    TimeField,
)

from portal.models.accounts import User
from portal.models.base import BaseModel, utcnow

CHANNELS = ("web", "phone", "walk-in")
BOOKING_STATUSES = ("requested", "confirmed", "cancelled", "attended", "no-show")
# Statuses that hold a seat: a web request holds its seat until it is declined or cancelled.
SEAT_HOLDING = ("requested", "confirmed", "attended", "no-show")


class Venue(BaseModel):
    """A consultation venue in a ward office, branch office or public facility."""

    name = CharField(max_length=200)
    ward = CharField(max_length=50, index=True)
    address = CharField(max_length=300)
    access_notes = TextField(default="")
    what_to_bring = TextField(default="")
    map_url = CharField(max_length=500, default="")
    active = BooleanField(default=True)


class ConsultationSession(BaseModel):
    """One consultation slot; `taken` counts held seats and never passes `capacity`."""

    venue = ForeignKeyField(Venue, backref="sessions", on_delete="RESTRICT")
    date = DateField(index=True)
    starts_at = TimeField()
    ends_at = TimeField()
    capacity = IntegerField()
    taken = IntegerField(default=0)
    consultant = ForeignKeyField(User, null=True, backref="consultation_sessions", on_delete="SET NULL")
    status = CharField(max_length=20, default="open")

    class Meta:
        indexes = ((("venue", "date", "starts_at"), True),)

    @property
    def places_left(self) -> int:
        """Seats still free."""
        return max(0, self.capacity - self.taken)


class Booking(BaseModel):
    """A seat in a session, by web request or phone; its personal data is sealed or encrypted."""

    session = ForeignKeyField(ConsultationSession, backref="bookings", on_delete="RESTRICT")
    channel = CharField(max_length=10)
    status = CharField(max_length=20)
    reference = CharField(max_length=12, unique=True)
    idempotency_key = CharField(max_length=64, unique=True, null=True)
    sealed = BlobField(null=True)
    programmes = CharField(max_length=200, default="")
    manage_hash = CharField(max_length=64, null=True, unique=True)
    manage_valid_until = DateField(null=True)
    decline_reason = TextField(null=True)
    # Keyed hashes (blind indexes) of the normalised phone, email and kana: staff find repeat
    # callers with them without the database holding the values. Filled in the staff zone.
    phone_index = CharField(max_length=64, null=True, index=True)
    email_index = CharField(max_length=64, null=True, index=True)
    kana_index = CharField(max_length=64, null=True, index=True)
    reminder_sent_on = DateField(null=True)
    created_by = ForeignKeyField(User, null=True, backref="bookings_made", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)


class AvailabilityVersion(BaseModel):
    """One row whose number goes up, in the same transaction, whenever places change.

    Rendered availability is cached under this number, so every process serving the public
    calendar sees a change at once and nothing stale is ever shown.
    """

    version = IntegerField(default=0)


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
