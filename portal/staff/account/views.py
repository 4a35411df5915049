"""/account/sessions: where one is signed in (browser, address, last seen), and ending any of it;
/account/password: changing one's password.

Both need the current password, so a borrowed or stolen session can neither sign its owner out
everywhere else nor take the account over: for the sessions, a correct password opens the buttons
for five minutes in this session; a change asks for it with the new one.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, flash, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import Field

from portal.core.models import StaffSession
from portal.core.web import not_found, redirect_to, render
from portal.staff import audit, password_changes
from portal.staff.account.devices import device_label
from portal.staff.account.forms import ChangePasswordForm, ConfirmPasswordForm
from portal.staff.auth import signin
from portal.staff.security.passwords import PASSWORD_PROBLEMS, replacement_problem, verify_password
from portal.staff.sessions import open_sessions, revoke, revoke_others

bp = Blueprint("account", __name__, url_prefix="/account")

CONFIRMED_KEY = "password_confirmed_at"
CONFIRMED_SECONDS = 300


def _confirmed() -> bool:
    """Whether this session proved the password within the last five minutes."""
    return time.time() - session.get(CONFIRMED_KEY, 0) <= CONFIRMED_SECONDS


def _wrong_password_message() -> str:
    return _("パスワードが正しくありません。")


def _proves_current_password(form: FlaskForm, field: Field, action: str) -> bool:
    """The current password, typed into `field` and counted by the sign-in throttle; a refusal is
    audited as `action`-throttled or `action`-failure and said in the form."""
    user = current_user
    if not signin.allow_attempt(user.email):
        audit.record(f"{action}-throttled", outcome="refused", object_type="user", object_id=user.id)
        form.form_errors.append(_("試行回数が多すぎます。しばらく待ってから、もう一度お試しください。"))
        return False
    if not verify_password(user.password_hash, field.data):
        audit.record(f"{action}-failure", outcome="refused", object_type="user", object_id=user.id)
        field.errors.append(_wrong_password_message())
        return False
    signin.password_proved_again(user)
    return True


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
    if form.validate() and _proves_current_password(form, form.password, "session.confirm"):
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


@bp.route("/password", methods=["GET", "POST"])
def password() -> Response:
    """Change one's password: the current one first (counted by the sign-in throttle), the new one twice.

    The change ends every other session of the account; this one stays.
    """
    form = ChangePasswordForm()
    if form.validate_on_submit() and _proves_current_password(
        form, form.current_password, "user.password-change"
    ):
        user = current_user
        problem = replacement_problem(form.new_password.data, user.email, user.password_hash)
        if problem:
            form.new_password.errors.append(PASSWORD_PROBLEMS[problem])
        elif password_changes.replace(user, form.new_password.data, keep=user.staff_session):
            flash(_("パスワードを変更しました。この端末以外のセッションはすべて終了しました。"))
            return redirect_to(url_for("account.sessions"))
        else:  # changed meanwhile in another browser: what was typed is no longer the current one
            form.current_password.errors.append(_wrong_password_message())
    return render("account/password.html", form=form)
