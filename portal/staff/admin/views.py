"""Create, disable, expire and re-role staff accounts, reset their password or second factor; end their
sessions; set contract ends.

Giving a role that reads personal data holds the account until a city user approves (approvals/).
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core.database import write_transaction
from portal.core.models import Organisation, RecoveryCode, User
from portal.core.models.accounts import ROLES_NEEDING_APPROVAL
from portal.core.web import not_found, redirect_to, render
from portal.staff import audit, password_changes
from portal.staff.accounts import (
    AccountError,
    change_role,
    create_user,
    disable,
    enable,
    same_organisation,
    set_expiry,
)
from portal.staff.admin.forms import (
    ContractForm,
    ExpiryForm,
    NameForm,
    NewUserForm,
    OrganisationForm,
    RoleForm,
)
from portal.staff.admin.history import approvals_of, changes_of
from portal.staff.approvals.labels import DECISION_LABELS, REASON_LABELS
from portal.staff.approvals.service import open_request
from portal.staff.auth.code_pause import paused_until
from portal.staff.confirm import ask, confirmed
from portal.staff.names import person_name
from portal.staff.roles import ROLE_LABELS
from portal.staff.security import enrolment_codes
from portal.staff.security.passwords import generate_password
from portal.staff.sessions import revoke_all, revoke_everyone_but

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.context_processor(
    lambda: {
        "role_labels": ROLE_LABELS,
        "reason_labels": REASON_LABELS,
        "decision_labels": DECISION_LABELS,
        "roles_needing_approval": ROLES_NEEDING_APPROVAL,
    }
)

VALID_HOURS = int(enrolment_codes.VALID_FOR.total_seconds() // 3600)
TEMPORARY_HOURS = int(password_changes.TEMPORARY_FOR.total_seconds() // 3600)
ACCOUNT_ERRORS = {
    "email_taken": _l("このメールアドレスはすでに登録されています。"),
    "bad_email": _l("メールアドレスの形式が正しくありません。"),
    "bad_name": _l("氏名は100文字以内で、改行などを含めずに入力してください。"),
}


def _user_or_404(user_id: int) -> User:
    user = User.get_or_none(User.id == user_id)
    if user is None:
        not_found()
    return user


def _other_user_or_404(user_id: int) -> User:
    """Administrators change other accounts only: nobody disables or re-roles themselves."""
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        not_found()
    return user


def _detail(user: User) -> dict:
    """What the account page and its status fragment show."""
    return {
        "user": user,
        "pending": open_request(user),
        "expiry_form": ExpiryForm(obj=user),
        "role_form": RoleForm(obj=user),
        "codes_paused_until": paused_until(user),
        "name_form": NameForm(data={"name": user.display_name}),
    }


def _ask_about(user: User, title: str, consequence: str, button: str) -> Response:
    """The confirmation page for an action on an account, naming whose it is."""
    return ask(
        title,
        consequence,
        button,
        back=url_for("admin.user_detail", user_id=user.id),
        details=[(_("氏名"), person_name(user)), (_("メールアドレス"), user.email)],
    )


@bp.get("/users")
def users() -> Response:
    """Every account with its state."""
    rows = User.select(User, Organisation).join(Organisation).order_by(Organisation.name, User.email)
    return render("admin/users.html", users=list(rows))


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> Response:
    """Make an account; its first password is shown here once."""
    form = NewUserForm()
    if form.validate_on_submit():
        password = generate_password()
        try:
            account = create_user(
                form.email.data,
                form.role.data,
                Organisation.get_by_id(form.organisation.data),
                password,
                enrol_now=False,
                requested_by=current_user,
                name=form.name.data,
            )
        except AccountError as error:
            form.email.errors.append(ACCOUNT_ERRORS.get(error.code, _l("登録できませんでした。")))
        else:
            if form.expires_on.data:
                account.user.expires_on = form.expires_on.data
                account.user.save(only=[User.expires_on])
            return render("admin/user_created.html", user=account.user, password=password)
    return render("admin/user_new.html", form=form)


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int) -> Response:
    """One account and the actions on it."""
    return render("admin/user_detail.html", **_detail(_user_or_404(user_id)))


@bp.get("/users/<int:user_id>/history")
def user_history(user_id: int) -> Response:
    """The account's approval requests and what was done to it, from the audit log."""
    user = _user_or_404(user_id)
    return render(
        "admin/user_history.html", user=user, approvals=approvals_of(user), changes=changes_of(user)
    )


@bp.post("/users/<int:user_id>/status")
def user_status(user_id: int) -> Response:
    """Disable or re-enable; disabling ends every session at once, re-enabling may await approval."""
    user = _other_user_or_404(user_id)
    if user.disabled_at:
        enable(user, current_user)
    elif not confirmed():
        return _ask_about(
            user,
            _("アカウントを停止しますか"),
            _("停止すると、この利用者はすぐにログアウトされ、再開するまでログインできません。"),
            _("停止する"),
        )
    else:
        disable(user, current_user)
    return render("admin/user_detail.html", "admin/_user_status.html", **_detail(user))


@bp.post("/users/<int:user_id>/name")
def user_name(user_id: int) -> Response:
    """Give the account the name colleagues know it by."""
    user = _user_or_404(user_id)
    form = NameForm()
    if form.validate():
        User.update(display_name=form.name.data).where(User.id == user.id).execute()
        audit.record("user.name", object_type="user", object_id=user.id)
        return redirect_to(url_for("admin.user_detail", user_id=user.id))
    return render("admin/user_detail.html", **{**_detail(user), "name_form": form})


@bp.post("/users/<int:user_id>/role")
def user_role(user_id: int) -> Response:
    """Give the account another role; one that reads personal data awaits a city user's approval."""
    user = _other_user_or_404(user_id)
    form = RoleForm()
    if form.validate() and form.role.data != user.role:
        change_role(user, form.role.data, current_user)
    return redirect_to(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/expiry")
def user_expiry(user_id: int) -> Response:
    """Set or clear the last day the account works; bringing back an expired one may await approval."""
    user = _user_or_404(user_id)
    form = ExpiryForm()
    if form.validate():
        set_expiry(user, form.expires_on.data, current_user)
    return redirect_to(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/password/reset")
def user_reset_password(user_id: int) -> Response:
    """A forgotten password: a temporary one shown here once, replaced at the next sign-in after the code.

    One's own account is an unknown URL here: its holder changes the password knowing the current one.
    """
    user = _other_user_or_404(user_id)
    if not confirmed():
        return _ask_about(
            user,
            _("パスワードをリセットしますか"),
            _(
                "この利用者はすぐにログアウトされ、今のパスワードは使えなくなります。仮パスワードがこの後に一度だけ表示されます。"
            ),
            _("パスワードをリセットする"),
        )
    password = password_changes.reset(user)
    if password is None:
        flash(_("認証アプリの登録が済むまで、パスワードはリセットできません。"))
        return redirect_to(url_for("admin.user_detail", user_id=user.id))
    return render("admin/password_reset.html", user=user, password=password, valid_hours=TEMPORARY_HOURS)


@bp.post("/users/<int:user_id>/second-factor/reset")
def user_reset_second_factor(user_id: int) -> Response:
    """A lost authenticator: the owner enrols again with the password and the code shown here once."""
    user = _user_or_404(user_id)
    if not confirmed():
        return _ask_about(
            user,
            _("二要素認証をリセットしますか"),
            _("この利用者はすぐにログアウトされ、次のログインで認証アプリを設定し直すまで使えません。"),
            _("二要素認証をリセットする"),
        )
    with write_transaction():
        # Not while a temporary password waits: the administrator would hold both halves.
        voided = (
            User.update(totp_secret=None, totp_last_step=0)
            .where(User.id == user.id, User.temporary_password_expires_at.is_null())
            .execute()
        )
        if voided:
            RecoveryCode.delete().where(RecoveryCode.user == user).execute()
            revoke_all(user)
            code = enrolment_codes.issue(user)
    if not voided:
        flash(_("仮パスワードが変更されるまで、二要素認証はリセットできません。"))
        return redirect_to(url_for("admin.user_detail", user_id=user.id))
    audit.record("user.second-factor-reset", object_type="user", object_id=user.id)
    return render("admin/second_factor_reset.html", user=user, code=code, valid_hours=VALID_HOURS)


@bp.post("/users/<int:user_id>/sessions/end")
def user_end_sessions(user_id: int) -> Response:
    """Sign the account out everywhere, effective on its next request."""
    user = _user_or_404(user_id)
    if not confirmed():
        return _ask_about(
            user,
            _("すべてのセッションを終了しますか"),
            _("この利用者は、使っているすべての端末ですぐにログアウトされます。"),
            _("すべてのセッションを終了する"),
        )
    ended = revoke_all(user)
    audit.record("user.sessions-ended", object_type="user", object_id=user.id, outcome=str(ended))
    return redirect_to(url_for("admin.user_detail", user_id=user.id))


@bp.post("/sessions/end-all")
def end_all_sessions() -> Response:
    """Sign every account out everywhere at once (an incident); only this administrator's page stays."""
    if not confirmed():
        return ask(
            _("全利用者のセッションを終了しますか"),
            _(
                "すべての利用者が、使っているすべての端末ですぐにログアウトされます（この画面のセッションを除く）。"
            ),
            _("全利用者のセッションを終了する"),
            back=url_for("admin.users"),
        )
    ended = revoke_everyone_but(current_user.staff_session)
    audit.record("sessions.ended-all", outcome=str(ended))
    return redirect_to(url_for("admin.users"))


def _organisations_page(form: OrganisationForm) -> Response:
    rows = list(Organisation.select().order_by(Organisation.name))
    return render(
        "admin/organisations.html",
        organisations=rows,
        form_for=lambda o: ContractForm(obj=o),
        new_form=form,
    )


@bp.get("/organisations")
def organisations() -> Response:
    """Organisations and their contract end dates, and adding one."""
    return _organisations_page(OrganisationForm(formdata=None))


@bp.post("/organisations/new")
def organisation_new() -> Response:
    """Add an organisation; a name that differs from an existing one only in spaces or width is
    that one typed again, and is refused."""
    form = OrganisationForm()
    if form.validate():
        existing = same_organisation(form.name.data)
        if existing is None:
            with write_transaction():
                organisation = Organisation.create(name=form.name.data)
            audit.record("organisation.create", object_type="organisation", object_id=organisation.id)
            flash(_("組織「%(name)s」を追加しました。", name=organisation.name))
            return redirect_to(url_for("admin.organisations"))
        form.name.errors.append(
            _(
                "「%(name)s」がすでにあります。同じ組織なら新しく追加せず、それを使ってください。",
                name=existing.name,
            )
        )
    return _organisations_page(form)


@bp.post("/organisations/<int:organisation_id>/contract")
def organisation_contract(organisation_id: int) -> Response:
    """Set the contract end date; the organisation's accounts stop working after it."""
    organisation = Organisation.get_or_none(Organisation.id == organisation_id)
    if organisation is None:
        not_found()
    form = ContractForm()
    if form.validate():
        organisation.contract_ends_on = form.contract_ends_on.data
        organisation.save(only=[Organisation.contract_ends_on])
        audit.record("organisation.contract", object_type="organisation", object_id=organisation.id)
    return redirect_to(url_for("admin.organisations"))
