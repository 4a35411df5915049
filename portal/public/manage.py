"""What a manage link opens: the booking's date, venue and state; cancelling, moving it, a calendar file.

The link is the only key: no personal data is shown, nothing changes on GET, and no cache or
crawler keeps the pages. Cancelling asks first, on a page of its own, so it works without
JavaScript; the move list is narrowed by a GET form that htmx swaps in place.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Response, flash, request, url_for
from flask_babel import gettext as _

from portal.core import public_log as events
from portal.core.dates import business_today
from portal.core.headers import private
from portal.core.models import Booking, ConsultationSession, Venue
from portal.core.models.reservations import BookingStatus, SessionStatus
from portal.core.query_args import int_arg
from portal.core.reservations import (
    SessionFull,
    before_cutoff,
    cancel,
    cancellable,
    find_by_manage_secret,
    move,
)
from portal.core.slots import SlotFilter, filter_choices, find_slots
from portal.core.web import not_found, redirect_to, render
from portal.public.forms import MoveForm
from portal.public.ics import booking_calendar
from portal.public.venues import UPCOMING, active_venue
from portal.public.views import bp

FILTER_ARGS = ("date", "venue", "ward")
MOVE_PAGE, MOVE_MOST = 20, 200  # sessions the move list shows at first, and at most


def _booking(secret: str) -> Booking:
    booking = find_by_manage_secret(secret, business_today())
    if booking is None:
        not_found()
    return booking


def move_filter(booking: Booking) -> SlotFilter:
    """The visitor's narrowing of the move list; at first, their own venue's next sessions."""
    if not any(request.args.get(name) for name in FILTER_ARGS):
        return SlotFilter(venue_id=booking.session.venue_id)
    chosen = SlotFilter.from_args()
    if chosen.venue_id:
        venue = active_venue(chosen.venue_id)
        if chosen.ward and venue.ward != chosen.ward:  # the ward changed: its venues, not the old one
            chosen = replace(chosen, venue_id=None)
    return chosen


def shown_count() -> int:
    """How many sessions the move list shows: a page at first, more on request (`?shown=`)."""
    asked = int_arg("shown") or MOVE_PAGE
    return min(max(asked, MOVE_PAGE), MOVE_MOST)


def move_targets(booking: Booking, chosen: SlotFilter, shown: int) -> tuple[list[ConsultationSession], bool]:
    """Up to `shown` sessions the filter finds that are still before their own cut-off, full ones
    included (shown as full, not offered), and whether there are more."""
    found = [
        s
        for s in find_slots(chosen, days=UPCOMING.days, limit=shown + MOVE_PAGE)
        if s.id != booking.session_id and before_cutoff(s.date)
    ]
    return found[:shown], len(found) > shown


def _can_move_to(booking: Booking, target: ConsultationSession | None) -> bool:
    return (
        target is not None
        and target.id != booking.session_id
        and target.status == SessionStatus.OPEN
        and target.venue.active
        and target.date >= business_today()
        and before_cutoff(target.date)
    )


def _page(booking: Booking, secret: str, form: MoveForm, chosen: SlotFilter) -> Response:
    can_change = cancellable(booking)
    shown = shown_count()
    targets, more = move_targets(booking, chosen, shown) if can_change else ([], False)
    filter_args = {name: value for name in FILTER_ARGS if (value := request.args.get(name))}
    return private(
        render(
            "public/manage.html",
            fragment="public/_move.html",
            booking=booking,
            secret=secret,
            can_change=can_change,
            # A cancelled booking is nothing to put in a calendar.
            offer_calendar_file=booking.status != BookingStatus.CANCELLED,
            form=form,
            chosen=chosen,
            filter_args=filter_args,
            targets=targets,
            more_url=url_for("public.manage", secret=secret, shown=shown + MOVE_PAGE, **filter_args)
            if more
            else None,
            **(filter_choices() if can_change else {}),
        )
    )


@bp.get("/manage/<secret>")
def manage(secret: str) -> Response:
    """The booking, and while it may change, the sessions it may move to (`?date=&venue=&ward=`)."""
    booking = _booking(secret)
    return _page(booking, secret, MoveForm(), move_filter(booking))


@bp.route("/manage/<secret>/cancel", methods=["GET", "POST"])
def manage_cancel(secret: str) -> Response:
    """GET asks whether to cancel; POST cancels, until the cut-off, and says so on the manage page."""
    booking = _booking(secret)
    if not cancellable(booking):
        return redirect_to(url_for("public.manage", secret=secret))
    if request.method == "GET":
        return private(render("public/cancel.html", booking=booking, secret=secret))
    if cancel(booking):
        events.log("booking.cancel", object_type="booking", object_id=booking.id)
        flash(_("予約を取り消しました（受付番号 %(reference)s）。", reference=booking.reference))
    return redirect_to(url_for("public.manage", secret=secret))


@bp.post("/manage/<secret>/move")
def manage_move(secret: str) -> Response:
    """Move the booking to another session in one transaction; a web request stays `requested`."""
    booking = _booking(secret)
    if not cancellable(booking):
        return redirect_to(url_for("public.manage", secret=secret))
    form = MoveForm()
    if form.validate_on_submit():
        target = (
            ConsultationSession.select(ConsultationSession, Venue)
            .join(Venue)
            .where(ConsultationSession.id == form.session_id.data)
            .first()
        )
        problem = _move(booking, target)
        if problem is None:
            return redirect_to(url_for("public.manage", secret=secret))
        form.form_errors.append(problem)
    return _page(booking, secret, form, move_filter(booking))


def _move(booking: Booking, target: ConsultationSession | None) -> str | None:
    """Move, or say why not."""
    if not _can_move_to(booking, target):
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
    """The booking as an iCalendar file: date, time, venue, reference and the manage link only.

    A cancelled booking's file still answers, marked cancelled, so a calendar that has it can
    update; the manage page no longer offers it.
    """
    booking = _booking(secret)
    response = Response(booking_calendar(booking, secret), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="madoguchi-{booking.reference}.ics"'
    return private(response)
