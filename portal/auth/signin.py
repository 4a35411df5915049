"""The steps between a correct password and a signed-in session.

After the password, the cookie holds only the user id and the time (signed, five minutes);
the session row is made once the second factor is accepted, with a new token.
"""

from __future__ import annotations

import time

from flask import current_app, request, session
from flask_login import login_user

from portal import audit
from portal.accounts import secret_box, totp_context
from portal.database import write_transaction
from portal.models import RecoveryCode, User
from portal.security import throttle, totp
from portal.sessions import business_today, start_session

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 300


def throttle_keys(email: str) -> tuple[str, str]:
    """The account-from-this-address key and the address key."""
    address = request.remote_addr or ""
    return (
        throttle.account_key(current_app.config["SECRET_KEY"], email, address),
        throttle.address_key(address),
    )


def register_failure(email: str) -> None:
    """Count a wrong password or code against the account and the address."""
    account, address = throttle_keys(email)
    throttle.register_failure(account, throttle.ACCOUNT_ALLOWANCE)
    throttle.register_failure(address, throttle.ADDRESS_ALLOWANCE)


def begin(user: User, next_url: str | None) -> None:
    """Remember that the password was right; the second factor comes next."""
    session[PENDING_KEY] = {"user": user.id, "at": int(time.time()), "next": next_url or ""}


def pending_user() -> User | None:
    """The account waiting for its second factor, if the password step was recent."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.get_or_none(User.id == pending.get("user"))
    if user is None or not user.may_sign_in(business_today()):
        return None
    return user


def accept_code(user: User, code: str) -> bool:
    """A TOTP code newer than the last one used, or an unused recovery code; each works once."""
    secret = secret_box().open(user.totp_secret, totp_context(user))
    step = totp.matching_step(secret, code, user.totp_last_step)
    if step is not None:
        claimed = (
            User.update(totp_last_step=step).where(User.id == user.id, User.totp_last_step < step).execute()
        )
        return claimed == 1
    used = (
        RecoveryCode.delete()
        .where(RecoveryCode.user == user, RecoveryCode.code_hash == totp.recovery_code_hash(code))
        .execute()
    )
    if used:
        audit.record("signin.recovery-code", actor_id=user.id, object_type="user", object_id=user.id)
    return used == 1


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """Activate the pending seed if `code` matches it; returns new recovery codes."""
    if user.totp_pending is None:
        return None
    secret = secret_box().open(user.totp_pending, totp_context(user))
    step = totp.matching_step(secret, code, 0)
    if step is None:
        return None
    codes = totp.new_recovery_codes()
    with write_transaction():
        User.update(totp_secret=user.totp_pending, totp_pending=None, totp_last_step=step).where(
            User.id == user.id
        ).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user).execute()
        RecoveryCode.insert_many(
            [{"user": user.id, "code_hash": totp.recovery_code_hash(c)} for c in codes]
        ).execute()
    return codes


def pending_enrolment_secret(user: User) -> str:
    """The seed being enrolled, made on first use and kept sealed until confirmed."""
    if user.totp_pending is None:
        user.totp_pending = secret_box().seal(totp.new_secret(), totp_context(user))
        user.save(only=[User.totp_pending])
    return secret_box().open(user.totp_pending, totp_context(user))


def complete(user: User) -> str:
    """Start a fresh session (new token, old cookie contents dropped); returns `next`."""
    pending = session.get(PENDING_KEY) or {}
    next_url = pending.get("next", "")
    session.clear()
    user.session_token = start_session(user, request.remote_addr or "")
    login_user(user)
    throttle.clear(throttle_keys(user.email)[0])
    audit.record("signin.success", actor_id=user.id, object_type="user", object_id=user.id)
    return next_url
