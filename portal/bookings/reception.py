"""Venue reception on the day: visitors are checked in, or marked as not having come, with one click."""

from __future__ import annotations

from flask import Response, url_for

from portal import audit
from portal.bookings.daily import day_bookings, requested_day
from portal.bookings.labels import STATUS_LABELS
from portal.bookings.people import opened
from portal.bookings.views import bp
from portal.models import Booking
from portal.web import htmx, not_found, redirect_to, render

MARKS = {mark: STATUS_LABELS[mark] for mark in ("attended", "no-show")}
ARRIVING = ("requested", "confirmed", "attended", "no-show")


@bp.get("/reception")
def reception() -> Response:
    """Today's (or the chosen day's) visitors, by venue and time."""
    day = requested_day()
    rows = [(booking, opened(booking)) for booking in day_bookings(day)]
    return render("bookings/reception.html", day=day, rows=rows, marks=MARKS)


@bp.post('/reception/<int:booking_id>/<any(attended, "no-show"):mark>')
def reception_mark(booking_id: int, mark: str) -> Response:
    """Record arrival or absence; htmx swaps the visitor's row."""
    booking = Booking.get_or_none(Booking.id == booking_id)
    if booking is None or booking.status not in ARRIVING:
        not_found()
    Booking.update(status=mark).where(Booking.id == booking.id).execute()
    audit.record(f"booking.{mark}", object_type="booking", object_id=booking.id)
    if not htmx:
        return redirect_to(url_for("bookings.reception", date=booking.session.date.isoformat()))
    booking.status = mark
    return render("bookings/_reception_row.html", booking=booking, person=opened(booking), marks=MARKS)
