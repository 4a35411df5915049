"""Taking and giving back seats: the one place where capacity is enforced.

The seat is taken by one conditional UPDATE (taken < capacity) inside a write transaction that
also inserts the booking: SQLite begins it IMMEDIATE, PostgreSQL locks the session's row, so
simultaneous requests for the last places cannot overbook. A repeated idempotency key returns
the booking the first submission made.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from peewee import IntegrityError

from portal.core import availability
from portal.core.database import write_transaction
from portal.core.dates import TOKYO
from portal.core.models import Booking, BookingIndex, ConsultationSession, Venue
from portal.core.models.reservations import PUBLIC_BOOKING_FIELDS, SEAT_HOLDING, BookingStatus, SessionStatus

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone


class SessionFull(Exception):
    """No place is left (or the session is closed)."""


@dataclass
class NewBooking:
    """A booking just made (or found again by its idempotency key: `repeated`), and its manage secret."""

    booking: Booking
    manage_secret: str | None
    repeated: bool = False


def new_reference() -> str:
    """A short reference such as 7KQM-4XWD."""
    raw = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def new_manage_secret() -> str:
    """128 random bits for a manage link."""
    return secrets.token_urlsafe(16)


def manage_hash(secret: str) -> str:
    """Manage secrets are 128-bit random strings, so SHA-256 is a sufficient hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


def book(
    session_id: int,
    *,
    channel: str,
    status: str,
    sealed: bytes | None = None,
    programmes: str = "",
    idempotency_key: str | None = None,
    created_by: int | None = None,
    manage_secret: str | None = None,
    indexes: dict | None = None,
    bookable_from: date | None = None,
) -> NewBooking:
    """Take a seat and record the booking, or raise SessionFull.

    `manage_secret` (from new_manage_secret) gives the visitor a manage link, valid until the day
    (a place offered from the waiting list: once the visitor accepts it, see portal.core.waiting);
    `indexes` (staff zone only) are the blind indexes kept in the staff store beside it;
    `bookable_from` (a visitor's request) takes a seat only on that day or later, at a venue that
    is active, as the public pages offer them (SessionFull otherwise).
    """
    if idempotency_key:
        earlier = _booking_where(Booking.idempotency_key == idempotency_key)
        if earlier is not None:
            return NewBooking(earlier, None, repeated=True)
    secret = manage_secret
    try:
        with write_transaction():
            session = _take_seat(session_id, bookable_from)
            booking = Booking.create(
                session=session_id,
                channel=channel,
                status=status,
                reference=new_reference(),
                idempotency_key=idempotency_key,
                sealed=sealed,
                programmes=programmes,
                manage_hash=manage_hash(secret) if secret else None,
                manage_valid_until=session.date if secret and status != BookingStatus.OFFERED else None,
                # Named only when staff made it: the public zone may not write the column at all.
                **({"created_by": created_by} if created_by else {}),
            )
            if indexes:
                BookingIndex.create(booking=booking.id, **indexes)
    except IntegrityError:
        earlier = _booking_where(Booking.idempotency_key == idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return NewBooking(earlier, None, repeated=True)
    return NewBooking(booking, secret)


def _booking_where(condition) -> Booking | None:
    """One booking, read with the columns the public zone may read (its own queries go here)."""
    return Booking.select(*PUBLIC_BOOKING_FIELDS).where(condition).first()


def _take_seat(session_id: int, bookable_from: date | None = None) -> ConsultationSession:
    """Inside a write transaction: one seat of an open session (the session as it is now), or
    SessionFull; with `bookable_from`, see book(). One statement takes the seat and reads the
    session back."""
    conditions = [
        ConsultationSession.id == session_id,
        ConsultationSession.taken < ConsultationSession.capacity,
        ConsultationSession.status == SessionStatus.OPEN,
    ]
    if bookable_from is not None:
        active = Venue.select(Venue.id).where(Venue.active == True)  # noqa: E712 - peewee expression
        conditions += [ConsultationSession.date >= bookable_from, ConsultationSession.venue.in_(active)]
    taken = (
        ConsultationSession.update(taken=ConsultationSession.taken + 1)
        .where(*conditions)
        .returning(ConsultationSession)
        .execute()
    )
    session = next(iter(taken), None)
    if session is None:
        raise SessionFull
    availability.changed()
    return session


def _give_back_seat(session_id: int) -> None:
    ConsultationSession.update(taken=ConsultationSession.taken - 1).where(
        ConsultationSession.id == session_id
    ).execute()
    availability.changed()


def move(booking: Booking, session_id: int) -> bool:
    """Move a seat-holding booking to another session in one transaction, or raise SessionFull.

    The new seat is taken before the old one is given back; False if the booking no longer
    holds a seat. A manage link stays valid until the new day.
    """
    with write_transaction():
        current = _booking_where(Booking.id == booking.id)
        if current is None or current.status not in SEAT_HOLDING or current.session_id == session_id:
            return False
        new_session = _take_seat(session_id)
        Booking.update(
            session=session_id,
            manage_valid_until=new_session.date if current.manage_hash else None,
            reminder_sent_on=None,
        ).where(Booking.id == booking.id).execute()
        _give_back_seat(current.session_id)
    booking.session = new_session
    return True


def open_sessions(start: date, end: date, ward: str | None = None):
    """Open sessions between two dates (inclusive), with their venues, in date order."""
    query = (
        ConsultationSession.select(ConsultationSession, Venue)
        .join(Venue)
        .where(
            ConsultationSession.date.between(start, end),
            ConsultationSession.status == SessionStatus.OPEN,
            Venue.active == True,  # noqa: E712 - peewee expression
        )
        .order_by(ConsultationSession.date, ConsultationSession.starts_at, Venue.name)
    )
    if ward:
        query = query.where(Venue.ward == ward)
    return query


def bookings_with_places():
    """Bookings with their session and venue, fetched in the same query."""
    return Booking.select(Booking, ConsultationSession, Venue).join(ConsultationSession).join(Venue)


def find_by_reference(reference: str) -> Booking | None:
    """A booking with its session and venue, read with the columns the public zone may read."""
    return (
        Booking.select(*PUBLIC_BOOKING_FIELDS, ConsultationSession, Venue)
        .join(ConsultationSession)
        .join(Venue)
        .where(Booking.reference == reference)
        .first()
    )


def find_by_manage_secret(secret: str, today: date) -> Booking | None:
    """The booking a manage link opens, while the link is valid (until the consultation day)."""
    booking = (
        Booking.select(*PUBLIC_BOOKING_FIELDS, ConsultationSession)
        .join(ConsultationSession)
        .where(Booking.manage_hash == manage_hash(secret))
        .first()
    )
    if booking is None or booking.manage_valid_until is None or booking.manage_valid_until < today:
        return None
    return booking


def change_deadline(day: date, cutoff: time | None = None) -> datetime:
    """The moment visitors stop changing bookings on `day` online: the cut-off (the setting
    `change_cutoff`, 17:00 by default) the day before, Tokyo time."""
    cutoff = cutoff or current_app.config["PORTAL"].change_cutoff
    return datetime.combine(day - timedelta(days=1), cutoff, TOKYO)


def before_cutoff(day: date, now: datetime | None = None, cutoff: time | None = None) -> bool:
    """Whether visitors may still change a booking on `day` (see change_deadline)."""
    return (now or datetime.now(TOKYO)) < change_deadline(day, cutoff)


def cancellable(booking: Booking, now: datetime | None = None, cutoff: time | None = None) -> bool:
    """Whether a visitor may still cancel or move: a seat is held and the cut-off has not passed."""
    return booking.status in SEAT_HOLDING and before_cutoff(booking.session.date, now, cutoff)


def cancel(booking: Booking, reason: str | None = None) -> bool:
    """Cancel (or decline, with the reason the visitor sees) and give the seat back.

    Returns False if the booking was no longer holding a seat.
    """
    with write_transaction():
        changed = (
            Booking.update(status=BookingStatus.CANCELLED, decline_reason=reason)
            .where(Booking.id == booking.id, Booking.status.in_(SEAT_HOLDING))
            .execute()
        )
        if changed:
            _give_back_seat(booking.session_id)
    return bool(changed)


def confirm(booking: Booking) -> bool:
    """Confirm a web request; False if it was no longer waiting."""
    return bool(
        Booking.update(status=BookingStatus.CONFIRMED)
        .where(Booking.id == booking.id, Booking.status == BookingStatus.REQUESTED)
        .execute()
    )
