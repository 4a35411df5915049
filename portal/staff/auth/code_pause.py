"""What follows when wrong codes for one account fill their window (throttle.ACCOUNT_CODES).

Whoever sends codes knows the password, so the pause is not the end of it: the password is
taken as known to someone else and must be replaced at the next sign-in, the account holder and
the administrators are told by email and on their home page, and the pause is audited. What they
are told holds the account's id, its role and times, never an address or a name.
"""

from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import lazy_gettext as _l

from portal.core.database import write_transaction
from portal.core.dates import business_today
from portal.core.links import external_url
from portal.core.models import Organisation, User
from portal.core.models.base import utcnow
from portal.staff import account_mail, account_notices, audit
from portal.staff.permissions import ADMIN
from portal.staff.roles import ROLE_LABELS
from portal.staff.security import throttle


def paused_until(user: User) -> datetime | None:
    """Until when the account's code entry is paused, if it is now."""
    return throttle.blocked_until(throttle.codes_key(user.id))


def code_accepted(user: User) -> None:
    """A right code is not one of the window's failures."""
    throttle.take_back(throttle.codes_key(user.id))


def code_refused(user: User) -> datetime | None:
    """After a wrong code: if it fills the window, pause and tell; returns until when, if it did."""
    with write_transaction():
        until = throttle.pause_if_full(throttle.codes_key(user.id), throttle.ACCOUNT_CODES)
        if until is None:
            return None
        User.update(password_change_required_at=utcnow()).where(
            User.id == user.id, User.password_change_required_at.is_null()
        ).execute()
        account_notices.add(user, account_notices.CODES_PAUSED, until)
    audit.record("signin.codes-paused", outcome="paused", object_type="user", object_id=user.id)
    _tell(user, until)
    return until


def _recipients(user: User) -> list[User]:
    """The holder, then every administrator who can sign in (once each)."""
    today = business_today()
    admins = User.select(User, Organisation).join(Organisation).where(User.role.in_(ADMIN)).order_by(User.id)
    return [user, *(admin for admin in admins if admin.id != user.id and admin.may_sign_in(today))]


def _tell(user: User, until: datetime) -> None:
    """Email the holder and the administrators, each with the link that serves them."""
    links = {True: external_url("auth.login"), False: external_url("admin.user_detail", user_id=user.id)}

    def body(recipient: User) -> str:
        holder = recipient.id == user.id
        return render_template(
            "mail/codes_paused.txt",
            holder=holder,
            account_id=user.id,
            role=ROLE_LABELS[user.role],
            until=until,
            link=links[holder],
        )

    subject = _l("【窓口】確認コードの入力を一時停止しました")
    account_mail.send(user, "codes-paused", subject, _recipients(user), body)
