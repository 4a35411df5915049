"""The daily list: one day's bookings per venue, as a page, CSV and XLSX.

The city and the operator see every session; a consultant sees only the sessions assigned to
them. Every booking whose details appear is an audit event (a view, or an export).
"""

from __future__ import annotations

from datetime import date

from flask import Response
from flask_babel import gettext as _
from flask_login import current_user

from portal.core import mail
from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession, ListNotice, Venue
from portal.core.models.reservations import SEAT_HOLDING
from portal.core.programmes import PROGRAMMES
from portal.core.query_args import date_arg, int_arg
from portal.core.reservations import bookings_with_places
from portal.core.web import render
from portal.staff import call_counter as calls
from portal.staff.bookings.opening import opened
from portal.staff.bookings.views import bp
from portal.staff.exports import XLSX, csv_bytes, xlsx_bytes
from portal.staff.permissions import allowed


def requested_day() -> date:
    """The day in `?date=`, or today in Tokyo."""
    return date_arg("date") or business_today()


def requested_venue() -> int | None:
    """The venue in `?venue=`, or None for every venue."""
    return int_arg("venue")


def day_venues(day: date) -> list[Venue]:
    """The venues with sessions on `day` that the signed-in user may see, for the venue filter."""
    query = Venue.select().join(ConsultationSession).where(ConsultationSession.date == day).distinct()
    if current_user.role == "consultant":
        query = query.where(ConsultationSession.consultant == current_user.id)
    return list(query.order_by(Venue.name))


def day_bookings(day: date, venue_id: int | None = None):
    """The day's seat-holding bookings the signed-in user may see, by venue and time."""
    query = (
        bookings_with_places()
        .where(ConsultationSession.date == day, Booking.status.in_(SEAT_HOLDING))
        .order_by(Venue.name, ConsultationSession.starts_at, Booking.reference)
    )
    if current_user.role == "consultant":
        query = query.where(ConsultationSession.consultant == current_user.id)
    if venue_id:
        query = query.where(Venue.id == venue_id)
    return query


def _rows(day: date, action: str) -> list[dict]:
    names = dict(PROGRAMMES)
    rows = []
    for booking in day_bookings(day, requested_venue()):
        person = opened(booking, action)
        rows.append(
            {
                "time": booking.session.starts_at.strftime("%H:%M"),
                "venue": booking.session.venue.name,
                "reference": booking.reference,
                "status": booking.status,
                "business_name": person["business_name"],
                "contact_name": person["contact_name"],
                "phone": person["phone"],
                "programmes": "、".join(str(names.get(c, c)) for c in booking.programmes.split(",") if c),
            }
        )
    return rows


def _table(day: date, action: str) -> tuple[list[str], list[list[str]]]:
    header = [
        _("時間"),
        _("会場"),
        _("受付番号"),
        _("状態"),
        _("事業者名（屋号）"),
        _("ご担当者名"),
        _("電話番号"),
        _("相談したい支援制度"),
    ]
    return header, [list(row.values()) for row in _rows(day, action)]


@bp.get("/daily")
def daily_list() -> Response:
    """The page; the front desk also sees whether the day's notice went out, and can send it."""
    day = requested_day()
    return render(
        "bookings/daily.html",
        day=day,
        venue_id=requested_venue(),
        venues=day_venues(day),
        rows=_rows(day, "booking.view"),
        counter=calls.count(day),
        notice=ListNotice.get_or_none(ListNotice.day == day),
        can_notify=mail.enabled() and allowed("bookings.daily_notice", current_user.role),
    )


@bp.get("/daily.csv")
def daily_csv() -> Response:
    """CSV in UTF-8 with a byte-order mark, so Excel in Japan opens it."""
    day = requested_day()
    header, rows = _table(day, "booking.export")
    response = Response(csv_bytes(header, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="daily-{day.isoformat()}.csv"'
    return response


@bp.get("/daily.xlsx")
def daily_xlsx() -> Response:
    """The same list as a workbook."""
    day = requested_day()
    header, rows = _table(day, "booking.export")
    response = Response(xlsx_bytes(day.isoformat(), header, rows), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="daily-{day.isoformat()}.xlsx"'
    return response
