"""The mail that tells the city and the administrators a check found something serious.

It names the checks and how many serious findings each had, and where to look; no URL of a
finding, no evidence, nothing about any business or person.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.core import mail
from portal.core.dates import business_today
from portal.core.links import external_url
from portal.core.models import CheckRun, Organisation, User
from portal.staff import audit
from portal.staff.permissions import OVERSIGHT


def recipients() -> list[User]:
    """Active city users and administrators."""
    today = business_today()
    users = (
        User.select(User, Organisation).join(Organisation).where(User.role.in_(OVERSIGHT)).order_by(User.id)
    )
    return [user for user in users if user.may_sign_in(today)]


def send_alert(failed: list[CheckRun]) -> tuple[int, int]:
    """Mail every recipient about the failed runs; returns (sent, failed to send)."""
    sent = refused = 0
    with force_locale("ja"):
        subject = _("【窓口】自己点検で重大な問題が見つかりました")
        body = render_template(
            "mail/self_check_alert.txt", runs=failed, link=external_url("self_checks.index")
        )
        for user in recipients():
            try:
                mail.send(mail.compose(user.email, subject, body), "self-check-alert")
            except mail.MailError:
                refused += 1
            else:
                sent += 1
    checks = ",".join(run.check for run in failed)
    audit.record(
        "mail.self_check_alert", outcome="failed" if refused else "ok", object_type="check", object_id=checks
    )
    return sent, refused
