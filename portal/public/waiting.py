"""The waiting list on the public site: joining it for a full session, and answering a place offered.

Who waits is sealed to the staff zone like a booking, so this zone cannot read it back; the staff
zone offers a freed place by email, with a link here (`/waiting/<secret>`) to accept or decline it
within the time the offer allows. The link is the only key: its pages show no personal data,
change nothing on GET and stay out of caches and search engines, and an unknown, answered or
expired link gets one and the same answer.
"""

from __future__ import annotations

import secrets

from flask import Response, current_app, flash, request, url_for
from flask_babel import gettext as _
from peewee import IntegrityError

from portal.core import normalise
from portal.core import public_log as events
from portal.core.database import database
from portal.core.dates import week_of
from portal.core.headers import private
from portal.core.i18n import long_date
from portal.core.models import WaitingOffer, WaitingRequest
from portal.core.models.waiting import OfferAnswer
from portal.core.security.sealing import sealer
from portal.core.waiting import accept, decline, open_offer
from portal.core.web import redirect_to, render
from portal.public.forms import WaitingForm
from portal.public.views import bp, limiter, session_or_404

ACCEPTED, DECLINED = OfferAnswer.ACCEPTED.value, OfferAnswer.DECLINED.value  # the flash categories


@bp.route("/sessions/<int:session_id>/waiting", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PORTAL"].booking_rate_limit, methods=["POST"])
def waiting_form(session_id: int) -> Response:
    """Join a full session's waiting list; a session with a place left has its booking form instead."""
    consultation = session_or_404(session_id)
    if consultation.places_left:
        return redirect_to(url_for("public.session_page", session_id=session_id))
    form = WaitingForm()
    if request.method == "GET":
        form.idempotency_key.data = secrets.token_urlsafe(24)
    elif form.validate_on_submit():
        if form.website.data:
            events.log("waiting.honeypot", outcome="refused", object_type="session", object_id=session_id)
            return redirect_to(url_for("public.calendar_page"))
        _register(session_id, form)
        return redirect_to(url_for("public.waiting_registered"))
    response = render(
        "public/waiting.html", consultation=consultation, form=form, week=week_of(consultation.date)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _register(session_id: int, form: WaitingForm) -> None:
    """Seal and store the request; the same form sent twice is one request."""
    sealed = sealer().seal(
        {
            "business_name": form.business_name.data.strip(),
            "contact_name": form.contact_name.data.strip(),
            "phone": normalise.phone(form.phone.data or ""),
            "email": form.email.data.strip(),
        }
    )
    try:
        with database.atomic():
            request_id = WaitingRequest.insert(
                session=session_id,
                any_in_week=form.any_in_week.data,
                programmes=",".join(form.programmes.data),
                sealed=sealed,
                idempotency_key=form.idempotency_key.data or None,
            ).execute()
    except IntegrityError:
        return  # the first submission made it
    events.log("waiting.request", object_type="waiting_request", object_id=request_id)


@bp.get("/waiting/registered")
def waiting_registered() -> Response:
    """What happens next; the same page for everyone (it holds nothing of the request)."""
    return render("public/waiting_registered.html")


def _no_longer_valid() -> Response:
    """One answer for a link that is unknown, answered already, or out of time."""
    return private(render("public/offer_gone.html", status=404))


@bp.get("/waiting/<secret>")
def offer(secret: str) -> Response:
    """The place offered: when and where, until when it is held, and the two answers."""
    offered = open_offer(secret)
    if offered is None:
        return _no_longer_valid()
    return private(render("public/offer.html", offer=offered, secret=secret))


@bp.post("/waiting/<secret>/accept")
def offer_accept(secret: str) -> Response:
    """Take the place: the booking is confirmed, and the staff zone mails its manage link."""
    offered = open_offer(secret)
    if offered is None or not accept(offered):
        return _no_longer_valid()
    return _answered(offered, "waiting.accept", ACCEPTED)


@bp.post("/waiting/<secret>/decline")
def offer_decline(secret: str) -> Response:
    """Let the place go to someone else; this ends the request."""
    offered = open_offer(secret)
    if offered is None or not decline(offered):
        return _no_longer_valid()
    return _answered(offered, "waiting.decline", DECLINED)


def _answered(offered: WaitingOffer, action: str, answer: str) -> Response:
    """Log the answer and say what it did on the next page (the flash is its only carrier)."""
    events.log(action, object_type="waiting_offer", object_id=offered.id)
    session = offered.booking.session
    when = f"{long_date(session.date)} {session.starts_at:%H:%M}"
    if answer == ACCEPTED:
        message = _(
            "%(when)s %(venue)sの予約が確定しました（受付番号 %(reference)s）。",
            when=when,
            venue=session.venue.name,
            reference=offered.booking.reference,
        )
    else:
        message = _("%(when)s %(venue)sのご案内を辞退しました。", when=when, venue=session.venue.name)
    flash(message, answer)
    return redirect_to(url_for("public.offer_answered"))


@bp.get("/waiting/answered")
def offer_answered() -> Response:
    """The answer just given (read once from the session cookie), and what comes next."""
    return private(render("public/offer_answered.html"))
