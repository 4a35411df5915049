"""Repeat callers: earlier bookings that share a phone number, email or reading with this one.

Matching uses the blind indexes only, so nothing is decrypted to find a repeat caller. Web
requests arrive without indexes (the public instance holds no key); the staff zone adds them.
"""

from __future__ import annotations

import operator
from functools import reduce

from flask import current_app

from portal.models import Booking, ConsultationSession
from portal.people import MATCHED_BY, index_columns
from portal.reservations import bookings_with_places

INDEX_COLUMNS = tuple(MATCHED_BY)


def index_web_requests() -> None:
    """Give web requests their blind indexes, computed here from the sealed data."""
    unsealer = current_app.extensions["portal.unsealer"]
    pending = Booking.select(Booking.id, Booking.sealed).where(
        Booking.channel == "web", Booking.phone_index.is_null(), Booking.sealed.is_null(False)
    )
    for booking in pending:
        Booking.update(**index_columns(unsealer.open(booking.sealed))).where(
            Booking.id == booking.id
        ).execute()


def indexes_of(booking: Booking) -> dict:
    """The booking's own blind index columns."""
    return {column: getattr(booking, column) for column in INDEX_COLUMNS}


def earlier_bookings(
    indexes: dict, exclude: int | None = None, limit: int = 20
) -> list[tuple[Booking, list]]:
    """Other bookings matching any of `indexes`, newest day first, each with what matched."""
    conditions = [getattr(Booking, column) == value for column, value in indexes.items() if value]
    if not conditions:
        return []
    query = (
        bookings_with_places()
        .where(reduce(operator.or_, conditions))
        .order_by(ConsultationSession.date.desc(), Booking.id.desc())
        .limit(limit)
    )
    if exclude is not None:
        query = query.where(Booking.id != exclude)
    return [
        (
            booking,
            [
                MATCHED_BY[column]
                for column, value in indexes.items()
                if value and getattr(booking, column) == value
            ],
        )
        for booking in query
    ]
