"""The daily list: one day's bookings under a heading per venue, in time order, as a page, an A4
print view, CSV and XLSX. The files carry personal data, so they are made only while the city
consents to exports by the exporter's organisation.

The city and the operator see every session; a consultant sees only the sessions assigned to
them. Every booking whose details appear is an audit event (a view, a print or an export).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Response
from flask_babel import gettext as _
from flask_login import current_user

from portal.core import mail
from portal.core.dates import business_today
from portal.core.labels import status_label
from portal.core.models import Booking, ConsultationSession, ListNotice, Venue
from portal.core.models.reservations import SEAT_HOLDING
from portal.core.programmes import PROGRAMMES
from portal.core.query_args import date_arg, int_arg
from portal.core.reservations import bookings_with_places
from portal.core.web import render
from portal.staff import call_counter as calls
from portal.staff.bookings.opening import opened
from portal.staff.bookings.views import bp
from portal.staff.export_consent.guard import consent_required
from portal.staff.exports import XLSX, csv_bytes, current_stamp, xlsx_bytes
from portal.staff.permissions import allowed


@dataclass
class VenueDay:
    """One venue's part of a day: its heading and its rows, earliest first."""

    venue: Venue
    rows: list = field(default_factory=list)


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
    """The day's seat-holding bookings the signed-in user may see, in time order."""
    query = (
        bookings_with_places()
        .where(ConsultationSession.date == day, Booking.status.in_(SEAT_HOLDING))
        .order_by(ConsultationSession.starts_at, Venue.name, Booking.reference)
    )
    if current_user.role == "consultant":
        query = query.where(ConsultationSession.consultant == current_user.id)
    if venue_id:
        query = query.where(Venue.id == venue_id)
    return query


def by_venue(rows: list, venue_of) -> list[VenueDay]:
    """Rows (already in time order) under their venue; the venue whose day starts first comes first."""
    sections: dict[int, VenueDay] = {}
    for row in rows:
        venue = venue_of(row)
        sections.setdefault(venue.id, VenueDay(venue)).rows.append(row)
    return list(sections.values())


def _row(booking: Booking, person: dict, names: dict) -> dict:
    return {
        "time": booking.session.starts_at.strftime("%H:%M"),
        "venue": booking.session.venue.name,
        "reference": booking.reference,
        "status": status_label(booking.status),
        "business_name": person["business_name"],
        "contact_name": person["contact_name"],
        "phone": person["phone"],
        "programmes": "、".join(str(names.get(c, c)) for c in booking.programmes.split(",") if c),
    }


def day_rows(day: date, action: str) -> list[tuple[Booking, dict]]:
    """The day's bookings (for the chosen venue, if any), each with its row; every one is opened."""
    names = dict(PROGRAMMES)
    return [
        (booking, _row(booking, opened(booking, action), names))
        for booking in day_bookings(day, requested_venue())
    ]


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
    sections = by_venue(day_rows(day, action), lambda pair: pair[0].session.venue)
    return header, [list(row.values()) for section in sections for _booking, row in section.rows]


def _list_context(day: date, action: str) -> dict:
    rows = day_rows(day, action)
    return {
        "day": day,
        "venue_id": requested_venue(),
        "sections": by_venue(rows, lambda pair: pair[0].session.venue),
        "total": len(rows),
    }


@bp.get("/daily")
def daily_list() -> Response:
    """The page; the front desk also sees whether the day's notice went out, and can send it."""
    day = requested_day()
    return render(
        "bookings/daily.html",
        venues=day_venues(day),
        counter=calls.count(day),
        notice=ListNotice.get_or_none(ListNotice.day == day),
        can_notify=mail.enabled() and allowed("bookings.daily_notice", current_user.role),
        **_list_context(day, "booking.view"),
    )


@bp.get("/daily/print")
def daily_print() -> Response:
    """The list on A4, a page per venue, to hand to the venue or file."""
    day = requested_day()
    return render("bookings/daily_print.html", **_list_context(day, "booking.print"))


@bp.get("/daily.csv")
@consent_required
def daily_csv() -> Response:
    """CSV in UTF-8 with a byte-order mark, so Excel in Japan opens it."""
    day = requested_day()
    header, rows = _table(day, "booking.export")
    response = Response(csv_bytes(header, rows, stamp=current_stamp()), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="daily-{day.isoformat()}.csv"'
    return response


@bp.get("/daily.xlsx")
@consent_required
def daily_xlsx() -> Response:
    """The same list as a workbook."""
    day = requested_day()
    header, rows = _table(day, "booking.export")
    response = Response(xlsx_bytes(day.isoformat(), header, rows, stamp=current_stamp()), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="daily-{day.isoformat()}.xlsx"'
    return response
