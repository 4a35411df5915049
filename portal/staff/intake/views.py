"""Taking a call: find a slot, enter the caller, see repeat callers, book, read the reference out."""

from __future__ import annotations

import secrets

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.dates import business_today
from portal.core.models import Booking
from portal.core.models.reservations import BookingStatus, Channel
from portal.core.reservations import SessionFull, book, bookings_with_places
from portal.core.slots import SlotFilter, filter_choices, find_slots
from portal.core.web import htmx, not_found, redirect_to, render
from portal.staff import audit
from portal.staff import call_counter as calls
from portal.staff.bookings.opening import opened
from portal.staff.bookings.repeat import acknowledged, earlier_bookings
from portal.staff.intake.forms import CallerForm
from portal.staff.people import index_columns, person_from, sealed_with_indexes

bp = Blueprint("intake", __name__, url_prefix="/intake")


@bp.route("", methods=["GET", "POST"])
def call() -> Response:
    """The intake screen. A refused form, a narrowed slot list (the filter's button, without
    JavaScript) and a repeat caller not yet shown to the operator all come back with everything
    the operator typed; only the last books on a second press."""
    form = CallerForm()
    posted = request.method == "POST"
    narrowing = posted and "filter" in request.form
    chosen = SlotFilter.from_args(request.form if posted else None)
    matches = earlier_bookings(index_columns(person_from(form))) if posted else []
    # A form sent twice is one booking: the first sending's booking is not a second caller.
    key = form.idempotency_key.data
    matches = [match for match in matches if not key or match.booking.idempotency_key != key]
    confirm_step = False
    if not posted:
        form.idempotency_key.data = secrets.token_urlsafe(24)
    elif not narrowing and form.validate_on_submit():
        if acknowledged(matches, request.form.get("repeat_seen")):
            booked = _book(form)
            if booked is not None:
                return redirect_to(url_for("intake.booked", booking_id=booked.id))
        else:
            confirm_step = True
    return render(
        "intake/call.html",
        form=form,
        chosen=chosen,
        slots=find_slots(chosen, keep=form.session_id.data),
        matches=matches,
        confirm_step=confirm_step,
        counter=calls.count(business_today()),
        **filter_choices(),
    )


def _book(form: CallerForm) -> Booking | None:
    try:
        made = book(
            form.session_id.data,
            channel=Channel.PHONE,
            status=BookingStatus.CONFIRMED,
            programmes=",".join(form.programmes.data),
            idempotency_key=form.idempotency_key.data or None,
            created_by=current_user.id,
            **sealed_with_indexes(person_from(form)),
        )
    except SessionFull:
        form.session_id.errors = [_("この相談枠は満席になりました。別の日時を選んでください。")]
        return None
    if not made.repeated:
        calls.record(business_today(), "booking", current_user.id)
        audit.record("booking.phone", object_type="booking", object_id=made.booking.id)
    return made.booking


@bp.get("/slots")
def slots() -> Response:
    """The slot list for the chosen day, venue or ward (htmx swaps it; the caller's form stays)."""
    chosen = SlotFilter.from_args()
    return render("intake/_slots.html", slots=find_slots(chosen), selected=None, errors=[])


@bp.post("/matches")
def matches() -> Response:
    """Earlier bookings by the same phone, email or reading, as the operator types (a POST: no
    phone number in a URL or an access log)."""
    form = CallerForm()
    return render(
        "intake/_matches.html", matches=earlier_bookings(index_columns(person_from(form))), live=True
    )


@bp.post("/enquiry")
def enquiry() -> Response:
    """Count a call that was only an enquiry."""
    calls.record(business_today(), "enquiry", current_user.id)
    if htmx:
        return render("intake/_counter.html", counter=calls.count(business_today()))
    return redirect_to(url_for("intake.call"))


@bp.get("/booked/<int:booking_id>")
def booked(booking_id: int) -> Response:
    """What to read back to the caller: their name, the day, the venue and the reference."""
    booking = bookings_with_places().where(Booking.id == booking_id).first()
    if booking is None:
        not_found()
    return render(
        "intake/booked.html", booking=booking, person=opened(booking), counter=calls.count(business_today())
    )
