"""Venue reception on the day: visitors are checked in, or marked as not having come, with one click."""

from __future__ import annotations

from datetime import date

from flask import Response, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import IntegerField, StringField, TelField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.core.forms import PortalForm, japanese_phone
from portal.core.labels import STAFF_STATUS_LABELS
from portal.core.models import Booking, ConsultationSession, Venue
from portal.core.models.reservations import BookingStatus, Channel, SessionStatus
from portal.core.reservations import SessionFull, book
from portal.core.web import htmx, not_found, redirect_to, render
from portal.staff import audit
from portal.staff.bookings.daily import day_bookings, day_venues, requested_day, requested_venue
from portal.staff.bookings.opening import opened
from portal.staff.bookings.views import bp
from portal.staff.people import FIELDS, person_from, sealed_with_indexes

MARKS = {mark: STAFF_STATUS_LABELS[mark] for mark in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW)}
ARRIVING = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


class WalkInForm(PortalForm):
    """A visitor who comes without a booking, while places remain."""

    session_id = IntegerField(validators=[InputRequired()])
    contact_name = StringField(FIELDS["contact_name"], validators=[DataRequired(), Length(max=100)])
    business_name = StringField(FIELDS["business_name"], validators=[Optional(), Length(max=200)])
    phone = TelField(FIELDS["phone"], validators=[Optional(), japanese_phone])


def _day_sessions(day: date, venue_id: int | None) -> list[ConsultationSession]:
    query = (
        ConsultationSession.select(ConsultationSession, Venue)
        .join(Venue)
        .where(ConsultationSession.date == day, ConsultationSession.status == SessionStatus.OPEN)
        .order_by(Venue.name, ConsultationSession.starts_at)
    )
    return list(query.where(Venue.id == venue_id) if venue_id else query)


def _reception_page(walk_in: WalkInForm) -> Response:
    day, venue_id = requested_day(), requested_venue()
    rows = [(booking, opened(booking)) for booking in day_bookings(day, venue_id)]
    return render(
        "bookings/reception.html",
        day=day,
        venue_id=venue_id,
        venues=day_venues(day),
        rows=rows,
        marks=MARKS,
        sessions=_day_sessions(day, venue_id),
        walk_in=walk_in,
    )


@bp.get("/reception")
def reception() -> Response:
    """Today's (or the chosen day's) visitors, by venue and time, and walk-ins while places remain."""
    return _reception_page(WalkInForm(formdata=None))


@bp.post("/reception/walk-in")
def reception_walk_in() -> Response:
    """Seat a visitor who came without booking; they are marked as arrived."""
    form = WalkInForm()
    if form.validate_on_submit():
        try:
            made = book(
                form.session_id.data,
                channel=Channel.WALK_IN,
                status=BookingStatus.ATTENDED,
                created_by=current_user.id,
                **sealed_with_indexes(person_from(form)),
            )
        except SessionFull:
            form.form_errors.append(_("この回は満席です。"))
        else:
            audit.record("booking.walk-in", object_type="booking", object_id=made.booking.id)
            return redirect_to(
                url_for("bookings.reception", date=requested_day().isoformat(), venue=requested_venue())
            )
    return _reception_page(form)


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
