"""The public store: venues, consultation sessions, bookings, the availability counter and events.

These tables are everything the public instance may reach; its store holds nothing else. A
booking's personal data never sits here in clear: it is sealed to the staff zone's public key,
so the public instance can write it and never read it back. Blind indexes, accounts and the
audit chain live in the staff store (see `portal/core/models/callers.py` and `accounts.py`).
"""

from __future__ import annotations

from enum import StrEnum

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

from portal.core.models.accounts import User
from portal.core.models.base import BaseModel, CrossStoreKey, utcnow


class BookingStatus(StrEnum):
    """Where a booking stands; the stored value is the string."""

    REQUESTED = "requested"  # a web request, waiting for staff
    OFFERED = "offered"  # a place held for someone on the waiting list, until they answer
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"  # by the visitor, or declined by staff
    ATTENDED = "attended"
    NO_SHOW = "no-show"


class Channel(StrEnum):
    """How a booking came in."""

    WEB = "web"
    PHONE = "phone"
    WALK_IN = "walk-in"


class SessionStatus(StrEnum):
    """Whether a session takes bookings."""

    OPEN = "open"
    CLOSED = "closed"


# Statuses that hold a seat: a web request holds its seat until it is declined or cancelled, a
# place offered from the waiting list until it is accepted, declined or the offer runs out.
SEAT_HOLDING = (
    BookingStatus.REQUESTED,
    BookingStatus.OFFERED,
    BookingStatus.CONFIRMED,
    BookingStatus.ATTENDED,
    BookingStatus.NO_SHOW,
)


class PublicSchemaVersion(BaseModel):
    """How many of the public store's migrations it has had."""

    version = IntegerField()


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
    """One consultation slot; `taken` counts held seats and never passes `capacity`.

    The consultant is an account id only (accounts live in the staff store); the public zone's
    PostgreSQL role may not read it.
    """

    venue = ForeignKeyField(Venue, backref="sessions", on_delete="RESTRICT")
    date = DateField(index=True)
    starts_at = TimeField()
    ends_at = TimeField()
    capacity = IntegerField()
    taken = IntegerField(default=0)
    consultant = CrossStoreKey(User, null=True, backref="consultation_sessions")
    status = CharField(max_length=20, default=SessionStatus.OPEN)

    class Meta:
        indexes = ((("venue", "date", "starts_at"), True),)

    @property
    def places_left(self) -> int:
        """Seats still free."""
        return max(0, self.capacity - self.taken)


class Booking(BaseModel):
    """A seat in a session, by web request or phone; its personal data is sealed."""

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
    reminder_sent_on = DateField(null=True)
    created_by = CrossStoreKey(User, null=True, backref="bookings_made")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        # Monitoring counts bookings by session, channel and status from this index alone.
        indexes = ((("session", "channel", "status"), False),)


class AvailabilityVersion(BaseModel):
    """One row whose number goes up, in the same transaction, whenever places change.

    Rendered availability is cached under this number, so every process serving the public
    calendar sees a change at once and nothing stale is ever shown.
    """

    version = IntegerField(default=0)


class PublicEvent(BaseModel):
    """What happened on the public site (a booking made, a manage link used, a cancellation).

    The public zone may only append here; the staff zone takes each event into the audit
    chain, marked as coming from the public zone, and removes it.
    """

    at = DateTimeField(default=utcnow)
    action = CharField(max_length=60)
    object_type = CharField(max_length=40, null=True)
    object_id = CharField(max_length=64, null=True)
    client = CharField(max_length=45, null=True)
    outcome = CharField(max_length=20, default="ok")


class ManageLinkRequest(BaseModel):
    """A visitor asking for their manage link again: reference and contact, sealed to the staff key.

    The public zone writes these and cannot read them back, so it never learns whether the
    details matched a booking; the staff zone checks each one, mails the link, and removes it.
    """

    sealed = BlobField()
    created_at = DateTimeField(default=utcnow)


# The public store's tables of this module (models/__init__.py adds the waiting list's).
RESERVATION_MODELS = [
    PublicSchemaVersion,
    Venue,
    ConsultationSession,
    Booking,
    AvailabilityVersion,
    PublicEvent,
    ManageLinkRequest,
]

# Booking columns the public zone writes but never reads back: the sealed details, and which
# staff account made a booking. Its PostgreSQL role holds no SELECT on them.
WRITE_ONLY_FOR_PUBLIC = ("sealed", "created_by")
PUBLIC_BOOKING_FIELDS = tuple(f for f in Booking._meta.sorted_fields if f.name not in WRITE_ONLY_FOR_PUBLIC)
