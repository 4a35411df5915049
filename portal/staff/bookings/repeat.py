"""Repeat callers: earlier bookings that share a phone number, email or reading with this one.

Matching uses the blind indexes only, so nothing is decrypted to find a repeat caller. Web
requests arrive without indexes (the public instance holds no key); the staff zone adds them,
and the name tokens that find a booking by part of a name.
"""

from __future__ import annotations

import operator
from datetime import timedelta
from functools import reduce
from typing import NamedTuple

from peewee import JOIN

from portal.core.database import write_transaction
from portal.core.dates import business_today
from portal.core.models import Booking, BookingIndex, BookingNameToken, ConsultationSession
from portal.core.models.reservations import SEAT_HOLDING, BookingStatus
from portal.core.reservations import bookings_with_places
from portal.staff.people import MATCHED_BY, NAME_TOKENS_VERSION, index_columns, name_tokens
from portal.staff.security.unseal import unsealer

INDEX_COLUMNS = tuple(MATCHED_BY)
# A visit longer ago than this is history, not a second booking of the same need.
RECENT = timedelta(days=30)


class Match(NamedTuple):
    """Another booking by the same person: what matched, and whether it is still to come."""

    booking: Booking
    matched: list
    upcoming: bool


def index_new_bookings() -> None:
    """Give bookings without blind indexes or current name tokens theirs (in the staff store),
    computed from the sealed data.

    Web requests arrive without either; a staff booking has its blind indexes already (unless a
    crash between the two stores' commits, on SQLite, lost them) and gets its tokens here too.
    """
    opener = unsealer()
    pending = list(
        Booking.select(Booking.id, Booking.sealed)
        .join(BookingIndex, JOIN.LEFT_OUTER, on=(BookingIndex.booking == Booking.id))
        .where(
            BookingIndex.booking.is_null() | (BookingIndex.name_tokens < NAME_TOKENS_VERSION),
            Booking.sealed.is_null(False),
        )
    )
    if not pending:
        return
    with write_transaction():
        for booking in pending:
            person = opener.open(booking.sealed)
            BookingIndex.insert(booking=booking.id, **index_columns(person)).on_conflict_ignore().execute()
            BookingNameToken.delete().where(BookingNameToken.booking == booking.id).execute()
            tokens = [{"booking": booking.id, "token": token} for token in sorted(name_tokens(person))]
            if tokens:
                BookingNameToken.insert_many(tokens).on_conflict_ignore().execute()
            BookingIndex.update(name_tokens=NAME_TOKENS_VERSION).where(
                BookingIndex.booking == booking.id
            ).execute()


def with_indexes(query):
    """`query` over bookings, each with its blind indexes as `booking.index` (None if it has none)."""
    return query.join_from(
        Booking, BookingIndex, JOIN.LEFT_OUTER, on=(BookingIndex.booking == Booking.id), attr="index"
    ).select_extend(*(getattr(BookingIndex, column) for column in INDEX_COLUMNS))


def indexes_of(booking: Booking) -> dict:
    """The blind indexes of a booking fetched through with_indexes()."""
    index = getattr(booking, "index", None)
    return {column: getattr(index, column, None) for column in INDEX_COLUMNS}


def earlier_bookings(indexes: dict, exclude: int | None = None, limit: int = 20) -> list[Match]:
    """Other open or recent bookings matching any of `indexes` (a booking still to come, or a
    consultation in the last RECENT days; nothing cancelled), newest day first, each with what
    matched. A visit years ago is not a warning."""
    conditions = [getattr(BookingIndex, column) == value for column, value in indexes.items() if value]
    if not conditions:
        return []
    today = business_today()
    query = (
        with_indexes(bookings_with_places())
        .where(
            reduce(operator.or_, conditions),
            Booking.status != BookingStatus.CANCELLED,
            ConsultationSession.date >= today - RECENT,
        )
        .order_by(ConsultationSession.date.desc(), Booking.id.desc())
        .limit(limit)
    )
    if exclude is not None:
        query = query.where(Booking.id != exclude)
    return [
        Match(
            booking,
            [
                MATCHED_BY[column]
                for column, value in indexes.items()
                if value and indexes_of(booking)[column] == value
            ],
            booking.status in SEAT_HOLDING and booking.session.date >= today,
        )
        for booking in query
    ]


def acknowledged(matches: list[Match], seen: str | None) -> bool:
    """Whether the operator was already shown every one of `matches` (`seen`: the ids the warning
    they saw listed, as the form sends them back)."""
    shown = set((seen or "").split(","))
    return all(str(match.booking.id) in shown for match in matches)
