"""What a manage link opens: the booking's date, venue and state; cancelling, moving it, a calendar file.

The link is the only key: no personal data is shown, nothing changes on GET, and no cache or
crawler keeps the pages.
"""

from __future__ import annotations

from flask import Response, flash, request, url_for
from flask_babel import gettext as _

from portal.core import public_log as events
from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession
from portal.core.query_args import int_arg
from portal.core.reservations import (
    SessionFull,
    before_cutoff,
    cancel,
    cancellable,
    find_by_manage_secret,
    move,
)
from portal.core.web import not_found, redirect_to, render
from portal.public.forms import MoveForm
from portal.public.ics import booking_calendar
from portal.public.venues import active_venue, active_venues, upcoming_sessions
from portal.public.views import bp

PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow, noarchive"}


def _booking(secret: str) -> Booking:
    booking = find_by_manage_secret(secret, business_today())
    if booking is None:
        not_found()
    return booking


def _private(response: Response) -> Response:
    response.headers.update(PRIVATE)
    return response


def move_targets(booking: Booking, venue_id: int) -> list[ConsultationSession]:
    """A venue's sessions the booking may move to: places left, and still before their own cut-off."""
    return [
        s
        for s in upcoming_sessions(venue_id)
        if s.id != booking.session_id and s.places_left and before_cutoff(s.date)
    ]


def _venue_choice(booking: Booking) -> int:
    venue_id = int_arg("venue")
    return booking.session.venue_id if venue_id is None else active_venue(venue_id).id


def _page(booking: Booking, secret: str, form: MoveForm, venue_id: int) -> Response:
    can_change = cancellable(booking)
    return _private(
        render(
            "public/manage.html",
            booking=booking,
            secret=secret,
            can_cancel=can_change,
            form=form,
            venue_id=venue_id,
            venues=active_venues() if can_change else [],
            targets=move_targets(booking, venue_id) if can_change else [],
        )
    )


@bp.route("/manage/<secret>", methods=["GET", "POST"])
def manage(secret: str) -> Response:
    """The booking; a POST cancels it until the cut-off. `?venue=` lists another venue's sessions."""
    booking = _booking(secret)
    if request.method == "POST" and cancellable(booking):
        cancel(booking)
        events.log("booking.cancel", object_type="booking", object_id=booking.id)
        return redirect_to(url_for("public.manage", secret=secret))
    return _page(booking, secret, MoveForm(), _venue_choice(booking))


@bp.post("/manage/<secret>/move")
def manage_move(secret: str) -> Response:
    """Move the booking to another session in one transaction; a web request stays `requested`."""
    booking = _booking(secret)
    if not cancellable(booking):
        return redirect_to(url_for("public.manage", secret=secret))
    form = MoveForm()
    target = None
    if form.validate_on_submit():
        target = ConsultationSession.get_or_none(ConsultationSession.id == form.session_id.data)
        problem = _move(booking, target)
        if problem is None:
            return redirect_to(url_for("public.manage", secret=secret))
        form.form_errors.append(problem)
    return _page(booking, secret, form, target.venue_id if target else booking.session.venue_id)


def _move(booking: Booking, target: ConsultationSession | None) -> str | None:
    """Move, or say why not."""
    if target is None or target not in move_targets(booking, target.venue_id):
        return _("この日時には変更できません。別の日時をお選びください。")
    try:
        moved = move(booking, target.id)
    except SessionFull:
        return _("申し訳ありません。この回は満席になりました。別の日時をお選びください。")
    if moved:
        events.log("booking.move", object_type="booking", object_id=booking.id)
        flash(_("予約の日時を変更しました。"))
    return None


@bp.get("/manage/<secret>/booking.ics")
def manage_calendar(secret: str) -> Response:
    """The booking as an iCalendar file: date, time, venue, reference and the manage link only."""
    booking = _booking(secret)
    response = Response(booking_calendar(booking, secret), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="madoguchi-{booking.reference}.ics"'
    return _private(response)
