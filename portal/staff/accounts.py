"""Making and changing staff accounts: shared by `portal user create`, demo data and the admin pages.

Whatever gives an account a role that reads personal data (making it, re-activating it, changing
its role) holds it until a city user approves, unless the server's command line made it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from peewee import IntegrityError

from portal.core.database import write_transaction
from portal.core.dates import business_today
from portal.core.models import Organisation, User
from portal.core.models.accounts import ROLES, ApprovalReason
from portal.core.models.base import utcnow
from portal.staff import audit
from portal.staff.approvals.service import ApprovalChange, lapse, review
from portal.staff.security import totp
from portal.staff.security.passwords import hash_password, policy_problem
from portal.staff.security.secrets_at_rest import secret_box
from portal.staff.sessions import revoke_all


class AccountError(ValueError):
    """The account cannot be made; `code` names why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class NewAccount:
    """A created account and what is shown to its owner once."""

    user: User
    otpauth_uri: str | None


def totp_context(user: User) -> str:
    """Associated data binding a seed to its account."""
    return f"user:{user.id}:totp"


def organisation_named(name: str) -> Organisation:
    """The organisation called `name`, created if missing."""
    organisation, _ = Organisation.get_or_create(name=name.strip())
    return organisation


def _organisation_key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def same_organisation(name: str) -> Organisation | None:
    """An organisation whose name differs from `name` only in spaces, width or case: the same one
    typed again, which must not become a second organisation."""
    key = _organisation_key(name)
    return next((o for o in Organisation.select() if _organisation_key(o.name) == key), None)


def create_user(
    email: str,
    role: str,
    organisation: Organisation,
    password: str,
    *,
    enrol_now: bool,
    requested_by: User | None,
    name: str = "",
) -> NewAccount:
    """A new account; with `enrol_now` its second factor is set and the URI is returned.

    `requested_by` is the administrator asking in the portal; None is the server's command line,
    whose user holds the keys already, so its accounts need no approval.
    """
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError("unknown_role")
    if "@" not in email or len(email) > 254 or any(ord(c) < 0x21 or c == "\x7f" for c in email):
        raise AccountError("bad_email")
    name = name.strip()
    if len(name) > 100 or any(ord(c) < 0x20 or c == "\x7f" for c in name):
        raise AccountError("bad_name")
    problem = policy_problem(password, email)
    if problem:
        raise AccountError(problem)
    uri = None
    try:
        with write_transaction():
            user = User.create(
                email=email,
                display_name=name or None,
                password_hash=hash_password(password),
                role=role,
                organisation=organisation,
                approved_role=role if requested_by is None else None,
            )
            change = ApprovalChange(user)
            if requested_by is not None:
                change = review(user, ApprovalReason.CREATE, requested_by)
            if enrol_now:
                secret = totp.new_secret()
                user.totp_secret = secret_box().seal(secret, totp_context(user))
                user.save(only=[User.totp_secret])
                uri = totp.provisioning_uri(secret, email)
    except IntegrityError:
        raise AccountError("email_taken") from None
    audit.record("user.create", object_type="user", object_id=user.id)
    change.record()
    return NewAccount(user=user, otpauth_uri=uri)


def disable(user: User, by: User) -> None:
    """Stop the account at once; its sessions end and any approval lapses."""
    with write_transaction():
        user.disabled_at = utcnow()
        user.save(only=[User.disabled_at])
        change = lapse(user, by)
        revoke_all(user)
    audit.record("user.disable", object_type="user", object_id=user.id)
    change.record()


def enable(user: User, by: User) -> None:
    """Re-activate the account; a role that reads personal data waits for approval again."""
    with write_transaction():
        user.disabled_at = None
        user.save(only=[User.disabled_at])
        change = review(user, ApprovalReason.REACTIVATE, by)
    audit.record("user.enable", object_type="user", object_id=user.id)
    change.record()


def change_role(user: User, role: str, by: User) -> None:
    """Give the account another role; one that reads personal data waits for approval."""
    if role not in ROLES:
        raise AccountError("unknown_role")
    with write_transaction():
        user.role = role
        user.save(only=[User.role])
        change = review(user, ApprovalReason.ROLE, by)
    audit.record("user.role", object_type="user", object_id=user.id)
    change.record()


def set_expiry(user: User, expires_on: date | None, by: User) -> None:
    """Set or clear the last working day; bringing an expired account back is a re-activation."""
    today = business_today()
    was_expired = user.expires_on is not None and today > user.expires_on
    comes_back = was_expired and (expires_on is None or today <= expires_on) and user.disabled_at is None
    with write_transaction():
        user.expires_on = expires_on
        user.save(only=[User.expires_on])
        change = review(user, ApprovalReason.REACTIVATE, by) if comes_back else ApprovalChange(user)
    audit.record("user.expiry", object_type="user", object_id=user.id)
    change.record()
