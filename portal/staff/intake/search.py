"""Finding a booking again: by reference, by the whole phone number or email (blind indexes), or
by part of a name, business name or reading (name tokens, then each candidate opened and checked).

A search is a POST, so a phone number or a name never sits in a URL or an access log.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from flask import Response, request
from flask_babel import gettext as _
from peewee import fn

from portal.core import normalise
from portal.core.models import Booking, BookingIndex, BookingNameToken, ConsultationSession
from portal.core.models.reservations import SEAT_HOLDING
from portal.core.reservations import bookings_with_places
from portal.core.web import render
from portal.staff import audit
from portal.staff.bookings.opening import opened, opened_if
from portal.staff.bookings.repeat import index_new_bookings, with_indexes
from portal.staff.intake.views import bp
from portal.staff.people import email_index, name_pieces, name_token, names_contain, phone_index

RESULTS = 50
CANDIDATES = 200  # bookings whose tokens match a name search, opened and checked at most


@dataclass
class Found:
    """A search's bookings (each with its details), and what to tell the operator about it."""

    rows: list[tuple[Booking, dict]] = field(default_factory=list)
    hint: str = ""


def _newest_first(query):
    return query.order_by(ConsultationSession.date.desc(), Booking.id.desc())


def _by_index(condition) -> Found:
    query = _newest_first(with_indexes(bookings_with_places()).where(condition)).limit(RESULTS)
    return Found([(booking, opened(booking)) for booking in query])


def _by_name(typed: str) -> Found:
    """Bookings whose name, reading or business name contains `typed`: the tokens of its pieces
    narrow them down, and each candidate is opened and checked before it is shown."""
    if len(normalise.searchable(typed)) < 2:
        return Found(hint=_("名前・事業者名・フリガナは2文字以上で入力してください。"))
    tokens = {name_token(piece) for piece in name_pieces(typed)}
    holding_all = (
        BookingNameToken.select(BookingNameToken.booking)
        .where(BookingNameToken.token.in_(tokens))
        .group_by(BookingNameToken.booking)
        .having(fn.COUNT(fn.DISTINCT(BookingNameToken.token)) == len(tokens))
    )
    candidates = _newest_first(bookings_with_places().where(Booking.id.in_(holding_all))).limit(CANDIDATES)
    rows = []
    for booking in candidates:
        person = opened_if(booking, lambda details: names_contain(details, typed))
        if person is not None:
            rows.append((booking, person))
        if len(rows) == RESULTS:
            break
    return Found(rows)


def search_bookings(text: str) -> Found:
    """Bookings by reference, by the whole phone number or email, or by part of a name, business
    name or reading (hiragana, katakana or half-width alike)."""
    typed = unicodedata.normalize("NFKC", text).strip()
    index_new_bookings()
    reference = normalise.reference(typed)
    if reference:
        return _by_index(Booking.reference == reference)
    if normalise.phone(typed).isdigit():
        return _by_index(BookingIndex.phone_index == phone_index(typed))
    if "@" in typed:
        return _by_index(BookingIndex.email_index == email_index(typed))
    return _by_name(typed)


@bp.route("/search", methods=["GET", "POST"])
def search() -> Response:
    """A POST, so that a phone number or a name never sits in a URL or an access log."""
    text = (request.form.get("q") or "").strip()[:100] if request.method == "POST" else ""
    found = search_bookings(text) if text else Found()
    if text:
        audit.record("booking.search")
    return render(
        "intake/search.html",
        text=text,
        rows=found.rows,
        hint=found.hint,
        searched=bool(text),
        holding=SEAT_HOLDING,
    )
