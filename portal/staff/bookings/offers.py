"""Offering a freed place to the waiting list: the place is held, and the visitor gets a link by email.

The staff zone does this because only it can read the visitor's address. The place is taken like
any booking (one conditional UPDATE in portal.core.reservations), as a booking in the `offered`
state holding the visitor's sealed contact and a manage secret; the email carries a second, random
offer secret, kept only as its SHA-256, which accepts or declines the place on the public site
until the offer runs out: after `waiting_offer_hours`, and never past the change cut-off before the
day. If the email cannot be sent, the offer is undone as if it had never been made.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import Response, current_app, flash, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.core import mail
from portal.core.database import write_transaction
from portal.core.i18n import date_time
from portal.core.links import offer_url
from portal.core.models import Booking, BookingIndex, ConsultationSession, WaitingOffer, WaitingRequest
from portal.core.models.reservations import BookingStatus, Channel
from portal.core.models.waiting import WaitingStatus
from portal.core.reservations import (
    SessionFull,
    book,
    cancel,
    change_deadline,
    manage_hash,
    new_manage_secret,
)
from portal.core.web import htmx, not_found, redirect_to, render
from portal.staff import audit
from portal.staff.bookings.views import bp
from portal.staff.bookings.waiting import places_in_turn, waiting_requests
from portal.staff.people import FIELDS, sealed_with_indexes
from portal.staff.security.unseal import unsealer

CONTACT = ("business_name", "contact_name", "phone", "email")  # what a waiting request holds
OFFER = "waiting_request.offer"


class NotOffered(Exception):
    """The place could not be offered: the message says why, for the operator; `outcome`, for the audit."""

    def __init__(self, message: str, outcome: str) -> None:
        super().__init__(message)
        self.outcome = outcome


def offer_deadline(day: date, now: datetime | None = None) -> datetime:
    """Until when an offer of a place on `day` may be answered, as stored (naive UTC)."""
    now = now or datetime.now(UTC)
    hours = timedelta(hours=current_app.config["PORTAL"].waiting_offer_hours)
    return min(now + hours, change_deadline(day)).astimezone(UTC).replace(tzinfo=None)


def offer_place(request: WaitingRequest, place: ConsultationSession | None) -> WaitingOffer:
    """Hold `place` for the request and mail the visitor the link that answers it; every attempt
    (and with it the opening of the request's contact) is audited with how it went."""
    try:
        offer = _offer(request, place)
    except NotOffered as refused:
        audit.record(OFFER, outcome=refused.outcome, object_type="waiting_request", object_id=request.id)
        raise
    audit.record(OFFER, object_type="waiting_request", object_id=request.id)
    return offer


def _offer(request: WaitingRequest, place: ConsultationSession | None) -> WaitingOffer:
    if not mail.enabled():
        raise NotOffered(_("メールの送信が設定されていないため、空きを案内できません。"), "mail-off")
    if place is None:
        raise NotOffered(_("この方に案内できる空きは、いまはありません。"), "no-place")
    opened = unsealer().open(request.sealed)
    contact = {name: opened.get(name, "") for name in CONTACT}
    secret = new_manage_secret()
    offer = _hold(request, place, contact, secret)
    _mail(offer, contact["email"], secret)
    return offer


def _hold(request: WaitingRequest, place: ConsultationSession, contact: dict, secret: str) -> WaitingOffer:
    """Take the place as an offered booking holding the contact, and record the offer, in one transaction."""
    manage_secret = new_manage_secret()
    person = {**dict.fromkeys(FIELDS, ""), **contact, "manage_secret": manage_secret}
    try:
        with write_transaction():
            made = book(
                place.id,
                channel=Channel.WEB,
                status=BookingStatus.OFFERED,
                programmes=request.programmes,
                manage_secret=manage_secret,
                **sealed_with_indexes(person),
            )
            offer = WaitingOffer.create(
                request=request.id,
                booking=made.booking.id,
                offer_hash=manage_hash(secret),
                valid_until=offer_deadline(place.date),
            )
            taken = (
                WaitingRequest.update(status=WaitingStatus.OFFERED)
                .where(WaitingRequest.id == request.id, WaitingRequest.status == WaitingStatus.WAITING)
                .execute()
            )
            if not taken:
                raise NotOffered(_("この方には、すでに空きを案内しています。"), "offered-already")
    except SessionFull:
        raise NotOffered(_("空きがなくなりました。ほかの方の予約が先に入りました。"), "full") from None
    made.booking.session = place
    offer.booking = made.booking
    return offer


def _mail(offer: WaitingOffer, to: str, secret: str) -> None:
    """The offer's email, in Japanese whatever language the operator reads; undone if it fails."""
    try:
        with force_locale("ja"):
            body = render_template("mail/waiting_offer.txt", offer=offer, link=offer_url(secret))
            message = mail.compose(to, _("【中小企業支援センター】キャンセル待ちの空きのご案内"), body)
        mail.send(message, "waiting offer")
    except mail.MailError:
        _withdraw(offer)
        audit.record("mail.waiting_offer", outcome="failed", object_type="waiting_offer", object_id=offer.id)
        raise NotOffered(
            _("メールを送れなかったため、案内を取りやめました。時間をおいてもう一度お試しください。"),
            "mail-failed",
        ) from None
    audit.record("mail.waiting_offer", object_type="waiting_offer", object_id=offer.id)


def _withdraw(offer: WaitingOffer) -> None:
    """Undo an offer whose email did not go: the place back, the booking gone, the request waiting."""
    with write_transaction():
        WaitingOffer.delete().where(WaitingOffer.id == offer.id).execute()
        cancel(offer.booking)
        BookingIndex.delete().where(BookingIndex.booking == offer.booking_id).execute()
        Booking.delete().where(Booking.id == offer.booking_id).execute()
        WaitingRequest.update(status=WaitingStatus.WAITING).where(
            WaitingRequest.id == offer.request_id
        ).execute()


@bp.post("/waiting/<int:waiting_id>/offer")
def offer_waiting(waiting_id: int) -> Response:
    """Offer the place now free to this request, if it is next in line for one."""
    requests = waiting_requests()
    waiting = next((r for r in requests if r.id == waiting_id), None)
    if waiting is None:
        not_found()
    try:
        offer = offer_place(waiting, places_in_turn(requests).get(waiting.id))
    except NotOffered as refused:
        message, offered = str(refused), False
    else:
        message = _(
            "空きを案内しました（受付番号 %(reference)s、回答の期限 %(deadline)s）。",
            reference=offer.booking.reference,
            deadline=date_time(offer.valid_until),
        )
        offered = True
    if htmx:
        return render("bookings/_waiting_offered.html", waiting=waiting, message=message, offered=offered)
    flash(message)
    return redirect_to(url_for("bookings.requests_inbox"))
