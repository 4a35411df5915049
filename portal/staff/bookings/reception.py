"""Venue reception on the day: visitors are checked in, or marked as not having come, with one
click; walk-ins are seated while places remain; the sheet prints per venue."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from portal.staff.bookings.check_in import is_correction, refusal
from portal.staff.bookings.daily import by_venue, day_bookings, day_venues, requested_day, requested_venue
from portal.staff.bookings.opening import opened
from portal.staff.bookings.views import bp
from portal.staff.people import FIELDS, person_from, sealed_with_indexes

MARKS = {mark: STAFF_STATUS_LABELS[mark] for mark in (BookingStatus.ATTENDED, BookingStatus.NO_SHOW)}
# The buttons once a visitor is marked: changing a mark says so.
REMARKS = {BookingStatus.ATTENDED: _l("来場に直す"), BookingStatus.NO_SHOW: _l("欠席に直す")}
ARRIVING = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED, BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


class WalkInForm(PortalForm):
    """A visitor who comes without a booking, while places remain."""

    session_id = IntegerField(validators=[InputRequired()])
    contact_name = StringField(
        FIELDS["contact_name"],
        validators=[
            DataRequired(_l("来場した方のお名前（ご担当者名）を入力してください。")),
            Length(max=100),
        ],
    )
    business_name = StringField(FIELDS["business_name"], validators=[Optional(), Length(max=200)])
    phone = TelField(FIELDS["phone"], validators=[Optional(), japanese_phone])


def _day_sessions(day: date, venue_id: int | None) -> list[ConsultationSession]:
    query = (
        ConsultationSession.select(ConsultationSession, Venue)
        .join(Venue)
        .where(ConsultationSession.date == day, ConsultationSession.status == SessionStatus.OPEN)
        .order_by(ConsultationSession.starts_at, Venue.name)
    )
    return list(query.where(Venue.id == venue_id) if venue_id else query)


def _visitors(day: date, action: str) -> list[tuple[Booking, dict]]:
    return [(booking, opened(booking, action)) for booking in day_bookings(day, requested_venue())]


def _reception_page(walk_in: WalkInForm) -> Response:
    day, venue_id = requested_day(), requested_venue()
    rows = _visitors(day, "booking.view")
    closed = refusal(day, current_user.role)
    return render(
        "bookings/reception.html",
        day=day,
        venue_id=venue_id,
        venues=day_venues(day),
        sections=by_venue(rows, lambda pair: pair[0].session.venue),
        total=len(rows),
        arrived=sum(booking.status == BookingStatus.ATTENDED for booking, _person in rows),
        absent=sum(booking.status == BookingStatus.NO_SHOW for booking, _person in rows),
        marks=MARKS,
        remarks=REMARKS,
        closed=closed,
        correcting=closed is None and is_correction(day),
        sessions=[] if closed else _day_sessions(day, venue_id),
        walk_in=walk_in,
    )


@bp.get("/reception")
def reception() -> Response:
    """Today's (or the chosen day's) visitors under their venue in time order, and walk-ins while
    places remain; a day that has not come is shown but cannot be marked."""
    return _reception_page(WalkInForm(formdata=None))


@bp.get("/reception/print")
def reception_print() -> Response:
    """The reception sheet on A4, a page per venue, with a box to tick for each arrival."""
    day = requested_day()
    rows = _visitors(day, "booking.print")
    return render(
        "bookings/reception_print.html",
        day=day,
        venue_id=requested_venue(),
        sections=by_venue(rows, lambda pair: pair[0].session.venue),
    )


@bp.post("/reception/walk-in")
def reception_walk_in() -> Response:
    """Seat a visitor who came without booking; they are marked as arrived."""
    form = WalkInForm()
    if form.validate_on_submit():
        session = ConsultationSession.get_or_none(ConsultationSession.id == form.session_id.data)
        if session is None:
            not_found()
        refused = refusal(session.date, current_user.role)
        if refused:
            audit.record("booking.walk-in", outcome="refused", object_type="session", object_id=session.id)
            form.form_errors.append(refused)
            return _reception_page(form)
        try:
            made = book(
                session.id,
                channel=Channel.WALK_IN,
                status=BookingStatus.ATTENDED,
                created_by=current_user.id,
                **sealed_with_indexes(person_from(form)),
            )
        except SessionFull:
            form.form_errors.append(_("この相談枠は満席です。"))
        else:
            audit.record(
                "booking.walk-in",
                outcome="correction" if is_correction(session.date) else "ok",
                object_type="booking",
                object_id=made.booking.id,
            )
            return redirect_to(
                url_for("bookings.reception", date=session.date.isoformat(), venue=requested_venue())
            )
    return _reception_page(form)


@bp.post('/reception/<int:booking_id>/<any(attended, "no-show"):mark>')
def reception_mark(booking_id: int, mark: str) -> Response:
    """Record arrival or absence on the day itself (a city user may correct a past day); htmx swaps
    the visitor's row."""
    booking = Booking.get_or_none(Booking.id == booking_id)
    if booking is None or booking.status not in ARRIVING:
        not_found()
    day = booking.session.date
    refused = refusal(day, current_user.role)
    if refused:
        audit.record(f"booking.{mark}", outcome="refused", object_type="booking", object_id=booking.id)
    else:
        Booking.update(status=mark).where(Booking.id == booking.id).execute()
        audit.record(
            f"booking.{mark}",
            outcome="correction" if is_correction(day) else "ok",
            object_type="booking",
            object_id=booking.id,
        )
        booking.status = mark
    if not htmx:
        if refused:
            flash(refused)
        return redirect_to(url_for("bookings.reception", date=day.isoformat()))
    return render(
        "bookings/_reception_row.html",
        booking=booking,
        person=opened(booking),
        marks=MARKS,
        remarks=REMARKS,
        closed=refused,
        message=refused,
    )
