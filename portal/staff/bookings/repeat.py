"""Repeat callers: earlier bookings that share a phone number, email or reading with this one.

Matching uses the blind indexes only, so nothing is decrypted to find a repeat caller. Web
requests arrive without indexes (the public instance holds no key); the staff zone adds them.
"""

from __future__ import annotations

import operator
from functools import reduce

from peewee import JOIN

from portal.core.models import Booking, BookingIndex, ConsultationSession
from portal.core.reservations import bookings_with_places
from portal.staff.people import MATCHED_BY, index_columns
from portal.staff.security.unseal import unsealer

INDEX_COLUMNS = tuple(MATCHED_BY)


def index_new_bookings() -> None:
    """Give bookings without blind indexes theirs (in the staff store), computed from the sealed data.

    Web requests arrive without them; a staff booking has them already, unless a crash between
    the two stores' commits (SQLite) lost them.
    """
    opener = unsealer()
    pending = (
        Booking.select(Booking.id, Booking.sealed)
        .join(BookingIndex, JOIN.LEFT_OUTER, on=(BookingIndex.booking == Booking.id))
        .where(BookingIndex.booking.is_null(), Booking.sealed.is_null(False))
    )
    for booking in pending:
        BookingIndex.insert(
            booking=booking.id, **index_columns(opener.open(booking.sealed))
        ).on_conflict_ignore().execute()


def with_indexes(query):
    """`query` over bookings, each with its blind indexes as `booking.index` (None if it has none)."""
    return query.join_from(
        Booking, BookingIndex, JOIN.LEFT_OUTER, on=(BookingIndex.booking == Booking.id), attr="index"
    ).select_extend(*(getattr(BookingIndex, column) for column in INDEX_COLUMNS))


def indexes_of(booking: Booking) -> dict:
    """The blind indexes of a booking fetched through with_indexes()."""
    index = getattr(booking, "index", None)
    return {column: getattr(index, column, None) for column in INDEX_COLUMNS}


def earlier_bookings(
    indexes: dict, exclude: int | None = None, limit: int = 20
) -> list[tuple[Booking, list]]:
    """Other bookings matching any of `indexes`, newest day first, each with what matched."""
    conditions = [getattr(BookingIndex, column) == value for column, value in indexes.items() if value]
    if not conditions:
        return []
    query = (
        with_indexes(bookings_with_places())
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
                if value and indexes_of(booking)[column] == value
            ],
        )
        for booking in query
    ]
