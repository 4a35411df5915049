"""Making staff accounts: shared by `portal user create`, demo data and the admin pages."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import IntegrityError

from portal.core.database import write_transaction
from portal.core.models import Organisation, User
from portal.core.models.accounts import ROLES
from portal.staff import audit
from portal.staff.security import totp
from portal.staff.security.passwords import hash_password, policy_problem
from portal.staff.security.secrets_at_rest import secret_box


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


def create_user(
    email: str, role: str, organisation: Organisation, password: str, *, enrol_now: bool
) -> NewAccount:
    """A new account; with `enrol_now` its second factor is set and the URI is returned."""
    email = email.strip().lower()
    if role not in ROLES:
        raise AccountError("unknown_role")
    if "@" not in email or len(email) > 254 or any(ord(c) < 0x21 or c == "\x7f" for c in email):
        raise AccountError("bad_email")
    problem = policy_problem(password, email)
    if problem:
        raise AccountError(problem)
    uri = None
    try:
        with write_transaction():
            user = User.create(
                email=email, password_hash=hash_password(password), role=role, organisation=organisation
            )
            if enrol_now:
                secret = totp.new_secret()
                user.totp_secret = secret_box().seal(secret, totp_context(user))
                user.save(only=[User.totp_secret])
                uri = totp.provisioning_uri(secret, email)
    except IntegrityError:
        raise AccountError("email_taken") from None
    audit.record("user.create", object_type="user", object_id=user.id)
    return NewAccount(user=user, otpauth_uri=uri)
