"""Staffing pages: planned against actual by month, the month's plan, and one day's figures.

The city and the operator reach them (the permission table); nothing here is personal data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.dates import business_today
from portal.core.i18n import long_date
from portal.core.models import (
    ConsultationSession,
    PhoneDay,
    PhonePlan,
    ReceptionDay,
    ReceptionPlan,
    Venue,
)
from portal.core.models.reservations import SessionStatus
from portal.core.months import MonthSpan, requested_month, span_of
from portal.core.query_args import date_arg
from portal.core.web import redirect_to, render
from portal.staff import call_counter
from portal.staff.reports import queries, tables
from portal.staff.staffing.entries import Staffing, save_day, save_plan
from portal.staff.staffing.forms import StaffingForm

bp = Blueprint("staffing", __name__, url_prefix="/staffing")


def _months() -> tuple[MonthSpan, date]:
    """The months around the sessions held, and the month asked for (this one unless asked)."""
    today = business_today()
    span = span_of(ConsultationSession.date, today)
    return span, requested_month(span, today)


def _month_arg(month: date) -> str:
    return month.strftime("%Y-%m")


@bp.get("/")
def overview() -> Response:
    """The month's phone and reception staffing, planned against what was entered day by day."""
    span, month = _months()
    return render(
        "staffing/overview.html",
        month=month,
        previous=span.before(month),
        following=span.after(month),
        tables=[
            tables.phone_staffing(queries.phone_staffing(month)),
            tables.reception_staffing(queries.reception_staffing(month)),
        ],
    )


def _venues(listed: list[int]) -> list[Venue]:
    """Venues by name: those `listed`, and none twice."""
    return list(Venue.select().where(Venue.id.in_(listed)).order_by(Venue.name, Venue.id))


def _staffing_form(
    venues: list[Venue], current: Staffing, save: Callable[[Staffing], None], done: str, page: str, **context
) -> Response:
    """Show the form filled with `current`; on a valid send, `save` it and go back to the month."""
    ids = [venue.id for venue in venues]
    form = StaffingForm()
    if request.method == "GET":
        form.lines.data, form.operators.data = current.lines, current.operators
        form.listed(ids)
        for venue_id in ids:
            form.venues.append_entry(current.reception.get(venue_id))
    elif form.validate_on_submit() and (staff := form.staff_by_venue(ids)) is not None:
        save(Staffing(form.lines.data, form.operators.data, staff))
        flash(done)
        return redirect_to(url_for("staffing.overview", month=_month_arg(context["month"])))
    return render(
        page, form=form, venues=venues, entries=list(zip(form.venues, venues, strict=False)), **context
    )


@bp.route("/plan", methods=["GET", "POST"])
def plan() -> Response:
    """The month's plan: lines and operators, and reception staff at each active venue."""
    _span, month = _months()
    phone = PhonePlan.get_or_none(PhonePlan.month == month)
    reception = dict(
        ReceptionPlan.select(ReceptionPlan.venue, ReceptionPlan.staff)
        .where(ReceptionPlan.month == month)
        .tuples()
    )
    active = [venue.id for venue in Venue.select(Venue.id).where(Venue.active)]
    return _staffing_form(
        _venues([*active, *reception]),
        Staffing(phone and phone.lines, phone and phone.operators, reception),
        lambda plan: save_plan(month, plan, current_user),
        _("%(month)sの計画を保存しました。", month=tables.month_label(month)),
        "staffing/plan.html",
        month=month,
    )


@bp.route("/actual", methods=["GET", "POST"])
def actual() -> Response:
    """A day's figures (today unless asked): lines, operators, and reception staff at the venues
    holding sessions that day. A day that has not come has none yet."""
    day = date_arg("date") or business_today()
    if day > business_today():
        return render("staffing/actual.html", day=day, month=day.replace(day=1), to_come=True)
    phone = PhoneDay.get_or_none(PhoneDay.day == day)
    reception = dict(
        ReceptionDay.select(ReceptionDay.venue, ReceptionDay.staff).where(ReceptionDay.day == day).tuples()
    )
    holding = ConsultationSession.select(ConsultationSession.venue).where(
        ConsultationSession.date == day, ConsultationSession.status == SessionStatus.OPEN
    )
    return _staffing_form(
        _venues([*(session.venue_id for session in holding), *reception]),
        Staffing(phone and phone.lines, phone and phone.operators, reception),
        lambda staffed: save_day(day, staffed, current_user),
        _("%(day)sの実績を保存しました。", day=long_date(day)),
        "staffing/actual.html",
        day=day,
        month=day.replace(day=1),
        calls=call_counter.count(day),
    )
