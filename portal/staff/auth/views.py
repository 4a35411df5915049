"""Sign-in pages: /login, the second factor, first-time enrolment, a required new password, sign-out."""

from __future__ import annotations

import io
from datetime import date, datetime

import segno
from flask import Blueprint, Response, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.core.dates import business_today
from portal.core.i18n import date_time
from portal.core.models import User
from portal.core.web import not_found, redirect_to, render, safe_next
from portal.staff import audit, password_changes
from portal.staff.auth import code_pause, signin
from portal.staff.auth.forms import CodeForm, EnrolForm, LoginForm, NewPasswordForm
from portal.staff.security import enrolment_codes, totp
from portal.staff.security.passwords import (
    PASSWORD_PROBLEMS,
    replacement_problem,
    verify_password,
)
from portal.staff.sessions import revoke, touch

bp = Blueprint("auth", __name__)


def _home() -> str:
    return url_for("home.index")


def _refused_message() -> str:
    return _("メールアドレスまたはパスワードが正しくありません。")


def _awaiting_approval_message() -> str:
    return _("このアカウントは市職員の承認待ちです。承認されるとログインできます。")


def _temporary_password_expired_message() -> str:
    return _("この仮パスワードは有効期限が切れています。管理者に新しい仮パスワードの発行を依頼してください。")


def _throttled_message() -> str:
    return _("試行回数が多すぎます。しばらく待ってから、もう一度お試しください。")


def _paused_message(until: datetime) -> str:
    return _(
        "誤った確認コードが続けて入力されたため、このアカウントの確認コードの入力を %(until)s まで"
        "停止しています。正しいコードも受け付けません。本人と管理者にはお知らせしました。",
        until=date_time(until),
    )


def _code_refusal(user: User) -> str:
    """Why a counted-out code attempt is refused: the account's pause, or this address's throttle."""
    until = code_pause.paused_until(user)
    if until is not None:
        audit.record("signin.code-while-paused", outcome="refused", actor_id=user.id)
        return _paused_message(until)
    audit.record("signin.throttled", outcome="refused", actor_id=user.id)
    return _throttled_message()


def _password_step_refusal(proved: User | None, today: date) -> tuple[str, str]:
    """Why the password step refuses (audited outcome, message).

    Only the right password learns that the account waits for approval or that its temporary
    password expired; everyone else is answered as for a wrong password (see README, Decisions).
    """
    if proved is not None and proved.active_on(today):
        if proved.awaiting_approval:
            return "awaiting-approval", _awaiting_approval_message()
        if password_changes.temporary_password_expired(proved):
            return "password-expired", _temporary_password_expired_message()
    return "refused", _refused_message()


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """Step one: email and password."""
    if current_user.is_authenticated:
        return redirect_to(_home())
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if not signin.allow_attempt(email):
            audit.record("signin.throttled", outcome="refused")
            form.form_errors.append(_throttled_message())
        else:
            user = User.get_or_none(User.email == email)
            password_ok = verify_password(user.password_hash if user else None, form.password.data)
            today = business_today()
            if (
                password_ok
                and user.may_sign_in(today)
                and not password_changes.temporary_password_expired(user)
            ):
                signin.begin(user, safe_next(form.next.data, ""))
                audit.record("signin.password", actor_id=user.id, object_type="user", object_id=user.id)
                return redirect_to(url_for("auth.second_factor" if user.enrolled else "auth.enrol"))
            outcome, message = _password_step_refusal(user if password_ok else None, today)
            audit.record("signin.failure", outcome=outcome, actor_id=user.id if user else None)
            form.form_errors.append(message)
    return render("auth/login.html", form=form)


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor() -> Response:
    """Step two: the authenticator's code (or a recovery code)."""
    user = signin.pending_user()
    if user is None:
        return redirect_to(url_for("auth.login"))
    if not user.enrolled:
        return redirect_to(url_for("auth.enrol"))
    if signin.awaiting_new_password(user):
        return redirect_to(url_for("auth.new_password"))
    form = CodeForm()
    if form.validate_on_submit():
        if not signin.allow_code_attempt(user):
            form.form_errors.append(_code_refusal(user))
        elif signin.accept_code(user, form.code.data):
            code_pause.code_accepted(user)
            if signin.must_replace_password(user):
                signin.second_factor_passed()
                return redirect_to(url_for("auth.new_password"))
            return redirect_to(safe_next(signin.complete(user), _home()))
        else:
            audit.record("signin.code-failure", outcome="refused", actor_id=user.id)
            form.form_errors.append(_("確認コードが正しくないか、すでに使われています。"))
            until = code_pause.code_refused(user)
            if until is not None:
                form.form_errors.append(_paused_message(until))
    return render("auth/code.html", form=form)


@bp.route("/login/new-password", methods=["GET", "POST"])
def new_password() -> Response:
    """A password taken as known to someone else is replaced before any session starts."""
    user = signin.pending_user()
    if user is None or not signin.awaiting_new_password(user):
        return redirect_to(url_for("auth.login"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        problem = replacement_problem(form.new_password.data, user.email, user.password_hash)
        if problem:
            form.new_password.errors.append(PASSWORD_PROBLEMS[problem])
        elif not password_changes.replace(user, form.new_password.data, required=True):
            return redirect_to(url_for("auth.login"))
        else:
            return redirect_to(safe_next(signin.complete(user), _home()))
    reset = password_changes.temporary_password_waiting(user)
    return render("auth/new_password.html", form=form, reset=reset)


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol() -> Response:
    """First sign-in of an account made in the portal: authenticator and a password of one's own."""
    user = signin.pending_user()
    if user is None:
        return redirect_to(url_for("auth.login"))
    seed = signin.pending_seed(user)
    if user.enrolled or seed is None:
        return redirect_to(url_for("auth.second_factor"))
    form = EnrolForm()
    if form.validate_on_submit():
        problem = replacement_problem(form.new_password.data, user.email, user.password_hash)
        if problem:
            form.new_password.errors.append(PASSWORD_PROBLEMS[problem])
        elif not signin.allow_attempt(user.email):
            form.form_errors.append(_throttled_message())
        elif enrolment_codes.required(user) and not enrolment_codes.accepted(user, form.enrolment_code.data):
            audit.record("signin.enrolment-code-failure", outcome="refused", actor_id=user.id)
            form.enrolment_code.errors.append(
                _("登録コードが正しくないか、期限が切れています。管理者に確認してください。")
            )
        else:
            codes = signin.enrol(user, form.code.data, form.new_password.data)
            if codes is not None:
                audit.record(
                    "user.second-factor-enrolled", actor_id=user.id, object_type="user", object_id=user.id
                )
                next_url = safe_next(signin.complete(user), _home())
                return render("auth/recovery_codes.html", codes=codes, next_url=next_url)
            form.code.errors.append(
                _("確認コードが正しくありません。アプリに表示されている最新のコードを入力してください。")
            )
    return render("auth/enrol.html", form=form, secret=seed, needs_code=enrolment_codes.required(user))


@bp.get("/login/enrol/qr.svg")
def enrol_qr() -> Response:
    """The enrolment QR code, only while this browser's enrolment is pending."""
    user = signin.pending_user()
    seed = signin.pending_seed(user) if user is not None and not user.enrolled else None
    if seed is None:
        not_found()
    buffer = io.BytesIO()
    segno.make(totp.provisioning_uri(seed, user.email), error="m").save(
        buffer, kind="svg", scale=5, xmldecl=False
    )
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server; the old cookie opens nothing afterwards."""
    user_id = current_user.id
    revoke(current_user.staff_session)
    logout_user()
    session.clear()
    audit.record("signout", actor_id=user_id, object_type="user", object_id=user_id)
    response = redirect_to(url_for("auth.login"))
    # What the browser kept while signed in (the intake's draft of a caller) goes with the session.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.post("/session/keepalive")
def keepalive() -> Response:
    """The idle warning's "stay signed in" button."""
    touch(current_user.staff_session)
    return Response(status=204)
