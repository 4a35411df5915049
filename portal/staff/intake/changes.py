"""A booking found again: its details, moving it to another slot, cancelling it."""

from __future__ import annotations

from flask import Response, url_for
from flask_babel import gettext as _

from portal.core.links import manage_url
from portal.core.models import Booking
from portal.core.models.reservations import SEAT_HOLDING
from portal.core.reservations import SessionFull, bookings_with_places, cancel, move
from portal.core.slots import SlotFilter, filter_choices, find_slots
from portal.core.web import not_found, redirect_to, render
from portal.staff import audit
from portal.staff.bookings.opening import opened
from portal.staff.bookings.views import when_and_where
from portal.staff.confirm import ask, confirmed
from portal.staff.intake.forms import CancelForm, MoveForm
from portal.staff.intake.views import bp


def _changeable(booking_id: int) -> Booking:
    booking = bookings_with_places().where(Booking.id == booking_id, Booking.status.in_(SEAT_HOLDING)).first()
    if booking is None:
        not_found()
    return booking


def _change_page(booking: Booking, move_form: MoveForm, cancel_form: CancelForm) -> Response:
    chosen = SlotFilter.from_args()
    person = opened(booking)
    return render(
        "intake/change.html",
        booking=booking,
        person=person,
        # A web visitor who lost it hears it read out, once the caller's phone matches.
        manage_link=manage_url(person["manage_secret"]) if person.get("manage_secret") else None,
        move_form=move_form,
        cancel_form=cancel_form,
        chosen=chosen,
        slots=[
            slot
            for slot in find_slots(chosen, keep=move_form.session_id.data)
            if slot.id != booking.session_id
        ],
        **filter_choices(),
    )


@bp.get("/<int:booking_id>/change")
def change(booking_id: int) -> Response:
    """A booking's details, the slots it can move to, and cancelling it."""
    return _change_page(_changeable(booking_id), MoveForm(formdata=None), CancelForm(formdata=None))


@bp.post("/<int:booking_id>/move")
def move_booking(booking_id: int) -> Response:
    """Move to another session; the old seat is given back in the same transaction."""
    booking = _changeable(booking_id)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            moved = move(booking, form.session_id.data)
        except SessionFull:
            form.session_id.errors = [_("この相談枠は満席になりました。別の日時を選んでください。")]
        else:
            if moved:
                audit.record("booking.move", object_type="booking", object_id=booking.id)
                return redirect_to(url_for("intake.booked", booking_id=booking.id))
            form.session_id.errors = [_("この予約は変更できません。")]
    return _change_page(booking, form, CancelForm(formdata=None))


@bp.post("/<int:booking_id>/cancel")
def cancel_booking(booking_id: int) -> Response:
    """Cancel with a reason (a web visitor reads it on their manage page); the seat is freed."""
    booking = _changeable(booking_id)
    form = CancelForm()
    if form.validate_on_submit():
        if not confirmed():
            return ask(
                _("予約を取り消しますか"),
                _("取り消すと席が空き、元に戻せません。Webで予約した方には理由が表示されます。"),
                _("予約を取り消す"),
                back=url_for("intake.change", booking_id=booking.id),
                details=[
                    (_("受付番号"), booking.reference),
                    (_("日時と会場"), when_and_where(booking)),
                    (_("ご担当者名"), opened(booking)["contact_name"]),
                    (_("取り消しの理由"), form.reason.data.strip()),
                ],
            )
        cancel(booking, form.reason.data.strip())
        audit.record("booking.cancel", object_type="booking", object_id=booking.id)
        return redirect_to(url_for("intake.booked", booking_id=booking.id))
    return _change_page(booking, MoveForm(formdata=None), form)
