"""Public pages: the calendar of places left, a session's page and its booking form."""

from __future__ import annotations

import calendar
import gzip
import secrets
from datetime import date, timedelta
from itertools import groupby

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from portal.core import availability, normalise
from portal.core import public_log as events
from portal.core.dates import business_today
from portal.core.headers import private
from portal.core.i18n import select_locale
from portal.core.labels import VISITOR_STATUS_LABELS
from portal.core.links import external_url, manage_url
from portal.core.models import ConsultationSession, Venue
from portal.core.models.reservations import BookingStatus, Channel, SessionStatus
from portal.core.months import MonthSpan, requested_month
from portal.core.query_args import text_arg
from portal.core.reservations import SessionFull, book, find_by_reference, new_manage_secret, open_sessions
from portal.core.security.sealing import sealer
from portal.core.visitor_mail import send_confirmation
from portal.core.web import not_found, page_response, redirect_to, render, wants_fragment
from portal.public import confirmation
from portal.public.bookable import first_bookable_month, next_bookable
from portal.public.calendar_cache import etag, offered_months, rendered_pages
from portal.public.early_answers import answer_again
from portal.public.forms import BookingForm

bp = Blueprint("public", __name__)
# Per client address (the socket's, or the trusted proxy's); Redis when PORTAL_RATELIMIT_STORAGE says so.
limiter = Limiter(key_func=get_remote_address)
# Only form posts are limited: reading pages skips the limiter's bookkeeping (the calendar's hot path).
limiter.request_filter(lambda: request.method in ("GET", "HEAD"))
# What the confirmation page says about email: none was given, it went out, or it could not.
MAIL_NOT_ASKED, MAIL_SENT, MAIL_NOT_SENT = "none", "sent", "not-sent"
WARD_LENGTH = 50  # as long as a venue's ward can be
bp.context_processor(lambda: {"status_labels": VISITOR_STATUS_LABELS})


def _opening_month(months: MonthSpan, today: date, ward: str | None) -> date:
    """The month asked for; else the first with a session to book (else this one), so nobody
    lands on an empty month when there is something to book."""
    if request.args.get("month"):
        return requested_month(months, today)
    found = first_bookable_month(today, ward)
    return found if found is not None and found in months else today.replace(day=1)


@bp.get("/")
def index() -> Response:
    """The centre's front page: the next sessions to book, one click from their form."""
    return render("public/index.html", upcoming=next_bookable(business_today()))


@bp.get("/privacy")
def privacy() -> Response:
    """How the centre handles what a visitor gives: the notice the booking form's consent refers to."""
    return render("public/privacy.html")


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Public pages only: never a booking, a reference, a manage link or a confirmation."""
    pages = [
        external_url(endpoint)
        for endpoint in ("public.index", "public.calendar_page", "public.venues", "public.privacy")
    ]
    pages += [
        external_url("public.venue_page", venue_id=v.id)
        for v in Venue.select(Venue.id).where(Venue.active == True).order_by(Venue.id)  # noqa: E712
    ]
    body = render_template("public/sitemap.xml", pages=pages)
    return Response(body, mimetype="application/xml")


@bp.get("/calendar")
def calendar_page() -> Response:
    """Days with places left in one month, for one ward or all; the month grid swaps with htmx.

    Bodies are kept per process under the availability counter, gzipped for browsers that take
    it (the page holds no secret, so compression tells an eavesdropper nothing), and a browser
    holding the current one is answered 304. The answer itself is given again to the same request
    before the full stack (portal.public.early_answers) until the counter or the day moves.
    """
    version = availability.current()  # before any data: see portal.public.calendar_cache
    today = business_today()
    months = offered_months(version, today)
    ward = text_arg("ward", WARD_LENGTH) or None
    first = _opening_month(months, today, ward)
    fragment = wants_fragment()
    coding = "gzip" if request.accept_encodings["gzip"] else None
    key = (version, today, first, ward, select_locale(), fragment, coding, request.script_root)
    tag = etag(key)
    # Revalidated every time, since places change; the language comes from a cookie.
    headers = {"ETag": f'"{tag}"', "Cache-Control": "no-cache", "Vary": "Cookie, Accept-Encoding"}
    answer_again(version, today)
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
    elsewhere = None
    if not any(s.places_left for s in sessions):
        elsewhere = first_bookable_month(last + timedelta(days=1), ward) or first_bookable_month(today, ward)
    return render_template(
        "public/_calendar.html" if fragment else "public/calendar.html",
        first=first,
        days=days,
        ward=ward,
        wards=sorted(wards),
        previous_month=months.before(first),
        next_month=months.after(first),
        elsewhere=elsewhere,
    )


def session_or_404(session_id: int) -> ConsultationSession:
    """An open session of an active venue, from today on (full or not), or 404."""
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
    """A session's details and the booking form (a full one: the way onto its waiting list); errors
    come back with what was typed.

    A valid request goes straight to the seat, which is taken only from an open session of an
    active venue from today on (what session_or_404 shows); the page is read only to be shown.
    """
    form = BookingForm()
    if request.method == "GET":
        form.idempotency_key.data = secrets.token_urlsafe(24)
    elif form.validate_on_submit():
        if form.website.data:
            session_or_404(session_id)
            events.log("booking.honeypot", outcome="refused", object_type="session", object_id=session_id)
            return redirect_to(url_for("public.calendar_page"))
        try:
            return _request_booking(session_id, form)
        except SessionFull:  # full, or no longer bookable: the page says which
            form.form_errors.append(
                _("申し訳ありません。この回は満席になりました。別の日時をお選びください。")
            )
    response = render("public/session.html", consultation=session_or_404(session_id), form=form)
    # The form carries a token, and the cookie that holds it is set here: no cache may keep either.
    response.headers["Cache-Control"] = "no-store"
    return response


def _request_booking(session_id: int, form: BookingForm) -> Response:
    """Seal what the visitor gave, take a seat (or raise SessionFull) and send them on to the
    confirmation, which the session cookie carries."""
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
    made = book(
        session_id,
        channel=Channel.WEB,
        status=BookingStatus.REQUESTED,
        sealed=sealed,
        programmes=",".join(form.programmes.data),
        idempotency_key=form.idempotency_key.data or None,
        manage_secret=secret,
        bookable_from=business_today(),
    )
    events.log("booking.request", object_type="booking", object_id=made.booking.id)
    mail = MAIL_NOT_ASKED
    if made.manage_secret and form.email.data:
        sent = send_confirmation(made.booking, form.email.data.strip(), made.manage_secret)
        mail = MAIL_SENT if sent else MAIL_NOT_SENT
    # A repeated submission finds the first booking; its secret is known only from the first answer.
    earlier = confirmation.peek()
    if not made.manage_secret and earlier and earlier.reference == made.booking.reference:
        secret, mail = earlier.secret, earlier.mail
    else:
        secret = made.manage_secret
    confirmation.keep(confirmation.Confirmation(made.booking.reference, secret, mail))
    return redirect_to(url_for("public.booking_complete"))


@bp.get("/booking/complete")
def booking_complete() -> Response:
    """The reference, date and venue, whether a mail went out, and the manage link shown once;
    the URL itself carries nothing."""
    completed = confirmation.take()
    booking = find_by_reference(completed.reference) if completed else None
    if booking is None:
        return redirect_to(url_for("public.calendar_page"))
    return private(
        render(
            "public/complete.html",
            booking=booking,
            secret=completed.secret,
            manage_link=manage_url(completed.secret) if completed.secret else None,
            mail=completed.mail,
        )
    )
