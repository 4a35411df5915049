"""/account/sessions: where one is signed in (browser, address, last seen), and ending any of it.

Ending sessions needs the password again, so a borrowed or stolen session cannot sign its owner
out everywhere else: a correct password opens the buttons for five minutes in this session.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.models import StaffSession
from portal.core.web import not_found, redirect_to, render
from portal.staff import audit
from portal.staff.account.devices import device_label
from portal.staff.account.forms import ConfirmPasswordForm
from portal.staff.auth import signin
from portal.staff.security.passwords import verify_password
from portal.staff.sessions import open_sessions, revoke, revoke_others

bp = Blueprint("account", __name__, url_prefix="/account")

CONFIRMED_KEY = "password_confirmed_at"
CONFIRMED_SECONDS = 300


def _confirmed() -> bool:
    """Whether this session proved the password within the last five minutes."""
    return time.time() - session.get(CONFIRMED_KEY, 0) <= CONFIRMED_SECONDS


def _page(form: ConfirmPasswordForm) -> Response:
    return render(
        "account/sessions.html",
        sessions=open_sessions(current_user),
        current_id=current_user.staff_session.id,
        device_label=device_label,
        confirmed=_confirmed(),
        form=form,
    )


@bp.get("/sessions")
def sessions() -> Response:
    """Every session still signed in as this user."""
    return _page(ConfirmPasswordForm())


@bp.post("/sessions/confirm")
def confirm() -> Response:
    """The password again, counted by the sign-in throttle; right, it opens the end buttons."""
    form = ConfirmPasswordForm()
    if form.validate():
        if not signin.allow_attempt(current_user.email):
            audit.record("session.confirm-throttled", outcome="refused")
            form.form_errors.append(_("試行回数が多すぎます。しばらく待ってから、もう一度お試しください。"))
        elif not verify_password(current_user.password_hash, form.password.data):
            audit.record(
                "session.confirm-failure", outcome="refused", object_type="user", object_id=current_user.id
            )
            form.password.errors.append(_("パスワードが正しくありません。"))
        else:
            signin.password_proved_again(current_user)
            session[CONFIRMED_KEY] = int(time.time())
            return redirect_to(url_for("account.sessions"))
    return _page(form)


@bp.post("/sessions/<int:session_id>/end")
def end_session(session_id: int) -> Response:
    """End one other session of one's own; anyone else's is an unknown URL."""
    target = StaffSession.get_or_none(
        StaffSession.id == session_id,
        StaffSession.user == current_user.id,
        StaffSession.revoked_at.is_null(),
    )
    if target is None or target.id == current_user.staff_session.id:
        not_found()
    if not _confirmed():
        return redirect_to(url_for("account.sessions"))
    revoke(target)
    audit.record("session.ended", object_type="staff_session", object_id=target.id)
    return redirect_to(url_for("account.sessions"))


@bp.post("/sessions/end-others")
def end_other_sessions() -> Response:
    """End every session of one's own but this one."""
    if not _confirmed():
        return redirect_to(url_for("account.sessions"))
    ended = revoke_others(current_user, current_user.staff_session)
    audit.record("session.ended-others", object_type="user", object_id=current_user.id, outcome=str(ended))
    return redirect_to(url_for("account.sessions"))
