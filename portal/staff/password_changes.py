"""Replacing a password: by its holder, as a pause of code entry requires, or by an administrator's reset.

A replacement ends the sessions the old password opened, is audited and tells the holder by email
(what happened and a link; no address, name or client address). A forgotten password is reset by
an administrator, never by an emailed link: the temporary password, read out once like a new
account's first one, works for TEMPORARY_FOR and only up to the second factor and a new password.
The administrator so holds one half of what signs in, never both: no reset while the account has
no authenticator, and no second-factor reset while a temporary password waits.
"""

from __future__ import annotations

from datetime import timedelta

from flask import render_template
from flask_babel import lazy_gettext as _l

from portal.core.database import write_transaction
from portal.core.links import external_url
from portal.core.models import StaffSession, User
from portal.core.models.base import utcnow
from portal.staff import account_mail, audit
from portal.staff.security.passwords import generate_password, hash_password
from portal.staff.sessions import revoke_all, revoke_others

TEMPORARY_FOR = timedelta(hours=72)
CHANGED, RESET = "password-changed", "password-reset"
SUBJECTS = {
    CHANGED: _l("【窓口】パスワードを変更しました"),
    RESET: _l("【窓口】パスワードをリセットしました"),
}


def replace(
    user: User, new_password: str, *, keep: StaffSession | None = None, required: bool = False
) -> bool:
    """Put `new_password` over the password `user` was loaded with; ends every session but `keep`.

    With `required`, only while a change is required (the sign-in after a pause or a reset). False
    if the password changed meanwhile (a replayed form, another browser), which changes nothing.
    """
    new_hash = hash_password(new_password)
    conditions = [User.id == user.id, User.password_hash == user.password_hash]
    if required:
        conditions.append(User.password_change_required_at.is_null(False))
    with write_transaction():
        changed = (
            User.update(
                password_hash=new_hash, password_change_required_at=None, temporary_password_expires_at=None
            )
            .where(*conditions)
            .execute()
        )
        if changed != 1:
            return False
        if keep is None:
            revoke_all(user)
        else:
            revoke_others(user, keep)
    audit.record("user.password-changed", actor_id=user.id, object_type="user", object_id=user.id)
    _tell(user, CHANGED)
    return True


def reset(user: User) -> str | None:
    """A temporary password for a forgotten one, shown to the administrator once; ends every session.

    None, changing nothing, when the account has no authenticator: the administrator would hold both halves.
    """
    password = generate_password()
    with write_transaction():
        issued = (
            User.update(
                password_hash=hash_password(password),
                password_change_required_at=utcnow(),
                temporary_password_expires_at=utcnow() + TEMPORARY_FOR,
            )
            .where(User.id == user.id, User.totp_secret.is_null(False))
            .execute()
        )
        if issued != 1:
            return None
        revoke_all(user)
    audit.record("user.password-reset", object_type="user", object_id=user.id)
    _tell(user, RESET)
    return password


def temporary_password_waiting(user: User) -> bool:
    """Whether the password is an administrator's temporary one, not yet replaced."""
    return user.temporary_password_expires_at is not None


def temporary_password_expired(user: User) -> bool:
    """A temporary password past its time signs in no more; the administrator issues another."""
    return temporary_password_waiting(user) and user.temporary_password_expires_at <= utcnow()


def _tell(user: User, kind: str) -> None:
    """Email the holder what happened, with the sign-in link."""
    link = external_url("auth.login")
    account_mail.send(
        user,
        kind,
        SUBJECTS[kind],
        [user],
        lambda _holder: render_template("mail/password.txt", kind=kind, link=link),
    )
