"""Public pages: the calendar of places left, a session's page and its booking form."""

from __future__ import annotations

import calendar
import gzip
import secrets
from datetime import date
from itertools import groupby

from flask import Blueprint, Response, current_app, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from portal.core import availability, normalise
from portal.core import public_log as events
from portal.core.dates import business_today
from portal.core.i18n import select_locale
from portal.core.labels import VISITOR_STATUS_LABELS
from portal.core.models import ConsultationSession, Venue
from portal.core.models.reservations import BookingStatus, Channel, SessionStatus
from portal.core.months import MonthSpan, requested_month
from portal.core.query_args import text_arg
from portal.core.reservations import SessionFull, book, new_manage_secret, open_sessions
from portal.core.security.sealing import sealer
from portal.core.visitor_mail import send_confirmation
from portal.core.web import not_found, page_response, redirect_to, render, wants_fragment
from portal.public.calendar_cache import etag, offered_months, rendered_pages
from portal.public.forms import BookingForm

bp = Blueprint("public", __name__)
# Per client address (the socket's, or the trusted proxy's); Redis when PORTAL_RATELIMIT_STORAGE says so.
limiter = Limiter(key_func=get_remote_address)
# Only form posts are limited: reading pages skips the limiter's bookkeeping (the calendar's hot path).
limiter.request_filter(lambda: request.method in ("GET", "HEAD"))
COMPLETED_KEY = "completed_booking"
WARD_LENGTH = 50  # as long as a venue's ward can be
bp.context_processor(lambda: {"status_labels": VISITOR_STATUS_LABELS})


@bp.get("/")
def index() -> Response:
    """The centre's front page."""
    return render("public/index.html", month=business_today().strftime("%Y-%m"))


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Public pages only: never a booking, a reference, a manage link or a confirmation."""
    pages = [
        url_for(endpoint, _external=True)
        for endpoint in ("public.index", "public.calendar_page", "public.venues")
    ]
    pages += [
        url_for("public.venue_page", venue_id=v.id, _external=True)
        for v in Venue.select(Venue.id).where(Venue.active == True).order_by(Venue.id)  # noqa: E712
    ]
    body = render_template("public/sitemap.xml", pages=pages)
    return Response(body, mimetype="application/xml")


@bp.get("/calendar")
def calendar_page() -> Response:
    """Days with places left in one month, for one ward or all; the month grid swaps with htmx.

    Bodies are kept per process under the availability counter, gzipped for browsers that take
    it (the page holds no secret, so compression tells an eavesdropper nothing), and a browser
    holding the current one is answered 304.
    """
    version = availability.current()  # before any data: see portal.public.calendar_cache
    today = business_today()
    months = offered_months(version, today)
    first = requested_month(months, today)
    ward = text_arg("ward", WARD_LENGTH) or None
    fragment = wants_fragment()
    coding = "gzip" if request.accept_encodings["gzip"] else None
    key = (version, today, first, ward, select_locale(), fragment, coding, request.script_root)
    tag = etag(key)
    # Revalidated every time, since places change; the language comes from a cookie.
    headers = {"ETag": f'"{tag}"', "Cache-Control": "no-cache", "Vary": "Cookie, Accept-Encoding"}
    if request.if_none_match.contains_weak(tag):
        return page_response(b"", 304, headers)
    pages = rendered_pages()
    body = pages.get_or_render(key, lambda: _calendar_body(today, months, first, ward, fragment, coding))
    return page_response(body, headers={**headers, "Content-Encoding": coding} if coding else headers)


def _calendar_body(
    today: date, months: MonthSpan, first: date, ward: str | None, fragment: bool, coding: str | None
) -> bytes:
    body = _render_calendar(today, months, first, ward, fragment).encode()
    return gzip.compress(body, compresslevel=6, mtime=0) if coding else body


def _render_calendar(today: date, months: MonthSpan, first: date, ward: str | None, fragment: bool) -> str:
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    sessions = list(open_sessions(max(first, today), last, ward))
    days = [(day, list(items)) for day, items in groupby(sessions, key=lambda s: s.date)]
    wards = [v.ward for v in Venue.select(Venue.ward).where(Venue.active == True).distinct()]  # noqa: E712
    return render_template(
        "public/_calendar.html" if fragment else "public/calendar.html",
        first=first,
        days=days,
        ward=ward,
        wards=sorted(wards),
        previous_month=months.before(first),
        next_month=months.after(first),
    )


def _bookable(session_id: int) -> ConsultationSession:
    found = (
        ConsultationSession.select(ConsultationSession, Venue)
        .join(Venue)
        .where(
            ConsultationSession.id == session_id,
            ConsultationSession.status == SessionStatus.OPEN,
            Venue.active == True,  # noqa: E712
        )
        .first()
    )
    if found is None or found.date < business_today():
        not_found()
    return found


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PORTAL"].booking_rate_limit, methods=["POST"])
def session_page(session_id: int) -> Response:
    """A session's details and the booking form; errors come back with what was typed."""
    consultation = _bookable(session_id)
    form = BookingForm()
    if request.method == "GET":
        form.idempotency_key.data = secrets.token_urlsafe(24)
    elif form.validate_on_submit():
        if form.website.data:
            events.log("booking.honeypot", outcome="refused", object_type="session", object_id=session_id)
            return redirect_to(url_for("public.calendar_page"))
        secret = new_manage_secret()
        sealed = sealer().seal(
            {
                "business_name": form.business_name.data.strip(),
                "contact_name": form.contact_name.data.strip(),
                "contact_kana": (form.contact_kana.data or "").strip(),
                "phone": normalise.phone(form.phone.data),
                "email": (form.email.data or "").strip(),
                # The staff zone needs it for the reminder's manage link; the database keeps a hash.
                "manage_secret": secret,
            }
        )
        try:
            made = book(
                session_id,
                channel=Channel.WEB,
                status=BookingStatus.REQUESTED,
                sealed=sealed,
                programmes=",".join(form.programmes.data),
                idempotency_key=form.idempotency_key.data or None,
                manage_secret=secret,
            )
        except SessionFull:
            form.form_errors.append(
                _("申し訳ありません。この回は満席になりました。別の日時をお選びください。")
            )
        else:
            events.log("booking.request", object_type="booking", object_id=made.booking.id)
            if made.manage_secret and form.email.data:
                send_confirmation(made.booking, form.email.data.strip(), made.manage_secret)
            # A repeated submission finds the first booking; its secret is known only from the first answer.
            earlier = session.get(COMPLETED_KEY) or {}
            secret = made.manage_secret or (
                earlier.get("secret") if earlier.get("reference") == made.booking.reference else None
            )
            session[COMPLETED_KEY] = {"reference": made.booking.reference, "secret": secret}
            return redirect_to(url_for("public.booking_complete"))
    return render("public/session.html", consultation=consultation, form=form)


@bp.get("/booking/complete")
def booking_complete() -> Response:
    """The reference, and the manage link shown once; the URL itself carries nothing."""
    completed = session.pop(COMPLETED_KEY, None)
    if not completed:
        return redirect_to(url_for("public.calendar_page"))
    return render("public/complete.html", reference=completed["reference"], secret=completed["secret"])
