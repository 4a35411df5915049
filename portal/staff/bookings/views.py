"""The inbox of web booking requests: the only place their sealed data is opened."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _

from portal.core.i18n import long_date
from portal.core.labels import status_label
from portal.core.models import Booking, ConsultationSession
from portal.core.models.reservations import BookingStatus, Channel
from portal.core.reservations import bookings_with_places, cancel, confirm
from portal.core.web import htmx, not_found, redirect_to, render
from portal.staff import audit
from portal.staff.bookings.opening import opened
from portal.staff.bookings.repeat import earlier_bookings, index_new_bookings, indexes_of, with_indexes
from portal.staff.bookings.waiting import inbox_waiting_list
from portal.staff.confirm import ask, confirmed

bp = Blueprint("bookings", __name__, url_prefix="/bookings")
bp.add_app_template_filter(status_label)


def when_and_where(booking: Booking) -> str:
    """The booking's day, time and venue, as a line staff read out."""
    session = booking.session
    return f"{long_date(session.date)} {session.starts_at:%H:%M} {session.venue.name}"


def _requests():
    return (
        with_indexes(bookings_with_places())
        .where(Booking.status == BookingStatus.REQUESTED, Booking.channel == Channel.WEB)
        .order_by(ConsultationSession.date, ConsultationSession.starts_at, Booking.created_at)
    )


def _request_or_404(booking_id: int) -> Booking:
    booking = _requests().where(Booking.id == booking_id).first()
    if booking is None:
        not_found()
    return booking


@bp.get("/requests")
def requests_inbox() -> Response:
    """The waiting list's requests a freed place can go to, first; then web requests waiting for a
    decision, with what the visitor gave and any earlier bookings by the same phone, email or
    reading (the public instance cannot recognise a repeat)."""
    index_new_bookings()
    rows = [
        (booking, opened(booking), earlier_bookings(indexes_of(booking), exclude=booking.id))
        for booking in _requests()
    ]
    return render("bookings/requests.html", rows=rows, waiting=inbox_waiting_list())


@bp.post("/<int:booking_id>/confirm")
def confirm_request(booking_id: int) -> Response:
    """Accept a web request."""
    booking = _request_or_404(booking_id)
    confirm(booking)
    audit.record("booking.confirm", object_type="booking", object_id=booking.id)
    booking.status = BookingStatus.CONFIRMED
    return _decided(booking)


@bp.post("/<int:booking_id>/decline")
def decline_request(booking_id: int) -> Response:
    """Decline a web request with the reason the visitor will read; the seat is freed."""
    booking = _request_or_404(booking_id)
    reason = (request.form.get("reason") or "").strip()[:500] or _("ご希望の日時でお受けできませんでした。")
    if not confirmed():
        return ask(
            _("Web予約をお断りしますか"),
            _("お断りすると席が空き、申込者の予約確認ページに次の理由が表示されます。元に戻せません。"),
            _("お断りする"),
            back=url_for("bookings.requests_inbox"),
            details=[
                (_("受付番号"), booking.reference),
                (_("日時と会場"), when_and_where(booking)),
                (_("お断りの理由"), reason),
            ],
        )
    cancel(booking, reason)
    audit.record("booking.decline", object_type="booking", object_id=booking.id)
    booking.status = BookingStatus.CANCELLED
    return _decided(booking)


def _decided(booking: Booking) -> Response:
    """htmx swaps the request for its outcome; without JavaScript the inbox reloads."""
    if htmx:
        return render("bookings/_decided.html", booking=booking)
    return redirect_to(url_for("bookings.requests_inbox"))
