"""The steps between a correct password and a signed-in session.

After the password, the cookie holds only the user id and the time (signed, five minutes);
the session row is made once the second factor is accepted, with a new token. An account that
has no second factor yet gets a fresh seed at that password step, sealed into the same pending
state, so nobody else who knows the password can plant a seed for the owner to scan. An account
whose password must be replaced passes the second factor and then sets a new password, still
without a session, so nothing behind the gate opens before it is done.
"""

from __future__ import annotations

import time

from flask import current_app, request, session
from flask_login import login_user

from portal.core.database import write_transaction
from portal.core.dates import business_today
from portal.core.models import User
from portal.staff import audit
from portal.staff.accounts import totp_context
from portal.staff.security import recovery_codes, throttle, totp
from portal.staff.security.passwords import hash_password
from portal.staff.security.secrets_at_rest import secret_box
from portal.staff.sessions import start_session

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 300


def _throttle_keys(email: str) -> tuple[str, str]:
    address = request.remote_addr or ""
    return (
        throttle.account_key(current_app.config["SECRET_KEY"], email, address),
        throttle.address_key(address),
    )


def allow_attempt(email: str) -> bool:
    """Count a password attempt before it is checked; False while throttled."""
    account, address = _throttle_keys(email)
    return throttle.attempt({account: throttle.ACCOUNT, address: throttle.ADDRESS})


def allow_code_attempt(user: User) -> bool:
    """Count a code attempt before it is checked, also against the account's codes from every address."""
    account, address = _throttle_keys(user.email)
    limits = {account: throttle.ACCOUNT, address: throttle.ADDRESS}
    return throttle.attempt({**limits, throttle.codes_key(user.id): throttle.ACCOUNT_CODES})


def begin(user: User, next_url: str | None) -> None:
    """Remember that the password was right; the second factor (or its enrolment) comes next."""
    throttle.forgive(_throttle_keys(user.email)[1])
    pending = {"user": user.id, "at": int(time.time()), "next": next_url or ""}
    if not user.enrolled:
        pending["seed"] = secret_box().seal(totp.new_secret(), totp_context(user)).hex()
    session[PENDING_KEY] = pending


def pending_user() -> User | None:
    """The account waiting for its second factor, if the password step was recent."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.get_or_none(User.id == pending.get("user"))
    if user is None or not user.may_sign_in(business_today()):
        return None
    return user


def pending_seed(user: User) -> str | None:
    """The seed offered for enrolment at this sign-in, if any."""
    sealed = (session.get(PENDING_KEY) or {}).get("seed")
    return secret_box().open(bytes.fromhex(sealed), totp_context(user)) if sealed else None


def accept_code(user: User, code: str) -> bool:
    """A TOTP code newer than the last one used, or an unused recovery code; each works once."""
    secret = secret_box().open(user.totp_secret, totp_context(user))
    step = totp.matching_step(secret, code, user.totp_last_step)
    if step is not None:
        claimed = (
            User.update(totp_last_step=step).where(User.id == user.id, User.totp_last_step < step).execute()
        )
        return claimed == 1
    used = recovery_codes.redeem(user, code)
    if used:
        audit.record("signin.recovery-code", actor_id=user.id, object_type="user", object_id=user.id)
    return used


def enrol(user: User, code: str, new_password: str) -> list[str] | None:
    """Activate this sign-in's seed if `code` matches it, and replace the first (or any earlier) password.

    Returns the new recovery codes. Only one of two simultaneous confirmations can win.
    """
    seed = pending_seed(user)
    step = totp.matching_step(seed, code, 0) if seed else None
    if step is None:
        return None
    codes = recovery_codes.new_codes()
    with write_transaction():
        claimed = (
            User.update(
                totp_secret=secret_box().seal(seed, totp_context(user)),
                totp_last_step=step,
                password_hash=hash_password(new_password),
                enrolment_code_hash=None,
                enrolment_code_expires_at=None,
                password_change_required_at=None,
                temporary_password_expires_at=None,
            )
            .where(User.id == user.id, User.totp_secret.is_null())
            .execute()
        )
        if claimed != 1:
            return None
        recovery_codes.replace(user, codes)
    return codes.shown


def second_factor_passed() -> None:
    """The code was right, but the password must be replaced before a session starts."""
    pending = dict(session[PENDING_KEY], passed=True, at=int(time.time()))
    session[PENDING_KEY] = pending


def awaiting_new_password(user: User) -> bool:
    """Whether this sign-in passed the second factor and must now replace the password."""
    return bool((session.get(PENDING_KEY) or {}).get("passed")) and user.password_change_required


def must_replace_password(user: User) -> bool:
    """Read afresh: a pause that began while this code was checked requires the change too."""
    return User.select().where(User.id == user.id, User.password_change_required_at.is_null(False)).exists()


def complete(user: User) -> str:
    """Start a fresh session (new token, old cookie contents dropped); returns `next`."""
    pending = session.get(PENDING_KEY) or {}
    next_url = pending.get("next", "")
    session.clear()
    user.session_token = start_session(user, request.remote_addr or "", request.user_agent.string)
    login_user(user)
    account, address = _throttle_keys(user.email)
    throttle.forgive(address, account)
    audit.record("signin.success", actor_id=user.id, object_type="user", object_id=user.id)
    return next_url


def password_proved_again(user: User) -> None:
    """A signed-in user typed the password again (to end sessions): that attempt is taken back."""
    account, address = _throttle_keys(user.email)
    throttle.forgive(address, account)
