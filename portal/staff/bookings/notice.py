"""The notice that a day's list is ready: to every active city user and that day's consultants.

It holds no personal data, only the date and a link to the list behind the staff sign-in. A
ListNotice row makes it go out once per day, from the timer or from the button on the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import Response, flash, render_template, request, url_for
from flask_babel import gettext as _
from peewee import IntegrityError

from portal.core import mail
from portal.core.database import write_transaction
from portal.core.dates import business_today
from portal.core.i18n import long_date
from portal.core.links import external_url
from portal.core.models import ConsultationSession, ListNotice, Organisation, User
from portal.core.web import not_found, redirect_to
from portal.staff import audit
from portal.staff.bookings.views import bp


@dataclass
class Outcome:
    """What one attempt did; `earlier` is when the notice had already gone out."""

    sent: int = 0
    failed: int = 0
    earlier: datetime | None = None


def recipients(day: date) -> list[User]:
    """Active city users, and consultants with a session that day."""
    consultants = ConsultationSession.select(ConsultationSession.consultant).where(
        ConsultationSession.date == day,
        ConsultationSession.consultant.is_null(False),
    )
    users = (
        User.select(User, Organisation)
        .join(Organisation)
        .where((User.role == "city") | ((User.role == "consultant") & User.id.in_(consultants)))
        .order_by(User.id)
    )
    today = business_today()
    return [user for user in users if user.may_sign_in(today)]


def send_daily_notice(day: date) -> Outcome:
    """Send the notice for `day` unless it went out already; if nobody received it, a later try may."""
    try:
        with write_transaction():
            ListNotice.create(day=day)
    except IntegrityError:
        return Outcome(earlier=ListNotice.get(ListNotice.day == day).sent_at)
    outcome = Outcome()
    subject = _("【窓口】%(date)sの予約一覧のお知らせ", date=long_date(day))
    body = render_template(
        "mail/daily_list.txt", day=day, link=external_url("bookings.daily_list", date=day.isoformat())
    )
    for user in recipients(day):
        try:
            mail.send(mail.compose(user.email, subject, body), "daily-list")
        except mail.MailError:
            outcome.failed += 1
        else:
            outcome.sent += 1
    if not outcome.sent:
        ListNotice.delete().where(ListNotice.day == day).execute()
    audit.record(
        "mail.daily_list", outcome="failed" if outcome.failed else "ok", object_type="day", object_id=day
    )
    return outcome


@bp.post("/daily/notice")
def daily_notice() -> Response:
    """The button on the daily list: send the day's notice now (still once per day)."""
    try:
        day = date.fromisoformat(request.form.get("date", ""))
    except ValueError:
        not_found()
    if not mail.enabled():
        flash(_("メールの送信が設定されていないため、通知を送れません。"))
    else:
        outcome = send_daily_notice(day)
        if outcome.earlier:
            flash(_("この日の通知は送信済みです。"))
        elif outcome.failed:
            flash(
                _(
                    "通知を%(sent)d件送信し、%(failed)d件は送信できませんでした。",
                    sent=outcome.sent,
                    failed=outcome.failed,
                )
            )
        else:
            flash(_("通知を%(sent)d件送信しました。", sent=outcome.sent))
    return redirect_to(url_for("bookings.daily_list", date=day.isoformat()))
