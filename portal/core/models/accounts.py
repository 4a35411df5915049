"""Organisations, staff accounts, their sessions, sign-in throttles and notices about accounts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from peewee import (
    BigIntegerField,
    BlobField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from portal.core.models.base import BaseModel, utcnow

ROLES = ("city", "consultant", "operator", "admin")
# Roles that read personal data or record content: an account holds one only once a second
# person, a city user, approved it (or the server's command line made it).
ROLES_NEEDING_APPROVAL = frozenset({"city", "consultant"})


class Organisation(BaseModel):
    """The city, a consultants' association or the contracted operator."""

    name = CharField(max_length=200, unique=True)
    contract_ends_on = DateField(null=True)
    created_at = DateTimeField(default=utcnow)

    def contract_active(self, today: date) -> bool:
        """Contractors' access ends with their contract (the end date is the last day)."""
        return self.contract_ends_on is None or today <= self.contract_ends_on


class User(BaseModel):
    """A staff account; the second factor is required for every one."""

    email = CharField(max_length=254, unique=True)
    # How colleagues see the account on every list; the email stands in until one is given.
    display_name = CharField(max_length=100, null=True)
    password_hash = CharField(max_length=255)
    role = CharField(max_length=20, choices=[(r, r) for r in ROLES])
    organisation = ForeignKeyField(Organisation, backref="users", on_delete="RESTRICT")
    totp_secret = BlobField(null=True)
    totp_last_step = BigIntegerField(default=0)
    expires_on = DateField(null=True)
    disabled_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    # The role a city user approved for this account; any change of role or re-activation clears it.
    approved_role = CharField(max_length=20, null=True)
    # After an administrator resets the second factor: the one-time code (argon2id) the owner must
    # give with the password to enrol again, handed over by the administrator, and until when.
    enrolment_code_hash = CharField(max_length=255, null=True)
    enrolment_code_expires_at = DateTimeField(null=True)
    # Set when the password must be taken as known to someone else: the next sign-in replaces it.
    password_change_required_at = DateTimeField(null=True)
    # After an administrator's reset: the temporary password signs in until then, only to be replaced.
    temporary_password_expires_at = DateTimeField(null=True)

    # Flask-Login's interface: the id in the cookie is the session token, not the user id,
    # so that ending a session on the server ends it for the browser too.
    is_authenticated = True
    is_active = True
    is_anonymous = False
    session_token: str = ""

    def get_id(self) -> str:
        """The session token Flask-Login keeps in the cookie."""
        return self.session_token

    @property
    def awaiting_approval(self) -> bool:
        """A role that reads personal data works only once this very role was approved."""
        return self.role in ROLES_NEEDING_APPROVAL and self.approved_role != self.role

    def may_sign_in(self, today: date) -> bool:
        """Accounts awaiting approval, disabled, expired and out-of-contract ones are refused."""
        return not self.awaiting_approval and self.active_on(today)

    def active_on(self, today: date) -> bool:
        """Not disabled, not expired, and its organisation's contract runs."""
        if self.disabled_at is not None:
            return False
        if self.expires_on is not None and today > self.expires_on:
            return False
        return self.organisation.contract_active(today)

    @property
    def enrolled(self) -> bool:
        """Whether the second factor is set up."""
        return self.totp_secret is not None

    @property
    def password_change_required(self) -> bool:
        """Whether the next sign-in must set a new password before anything else."""
        return self.password_change_required_at is not None


class ApprovalReason(StrEnum):
    """Why an account waits for approval."""

    CREATE = "create"
    REACTIVATE = "reactivate"
    ROLE = "role"


class ApprovalDecision(StrEnum):
    """How a request ended; an open one has none yet."""

    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # a later change of the account made it moot


class AccountApproval(BaseModel):
    """A request that an account hold a role that reads personal data, and its decision."""

    user = ForeignKeyField(User, backref="approvals", on_delete="RESTRICT")
    role = CharField(max_length=20)
    reason = CharField(max_length=20)
    requested_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    requested_at = DateTimeField(default=utcnow)
    decision = CharField(max_length=20, null=True)
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    decided_at = DateTimeField(null=True)


class RecoveryCode(BaseModel):
    """A one-time code for signing in when the authenticator is lost; stored as salted argon2id."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=255, unique=True)


class StaffSession(BaseModel):
    """A signed-in session; the cookie carries only a random token whose hash is kept here."""

    token_hash = CharField(max_length=64, unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    client = CharField(max_length=45)
    user_agent = CharField(max_length=200, null=True)  # so the owner can tell their sessions apart
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)


class Throttle(BaseModel):
    """Failure count for one account or one client address, and until when it is refused."""

    key = CharField(max_length=80, unique=True)
    failures = IntegerField(default=0)
    blocked_until = DateTimeField(null=True)
    updated_at = DateTimeField(default=utcnow)
    # Keys counted per window (an account's wrong codes): when the window's first attempt came.
    window_started_at = DateTimeField(null=True)


class AccountNotice(BaseModel):
    """Something the account holder and the administrators are shown on the staff home page.

    Ids and times only: `kind` says what happened to `account`, `until` when it stops applying.
    """

    account = ForeignKeyField(User, backref="notices", on_delete="CASCADE")
    kind = CharField(max_length=40)
    created_at = DateTimeField(default=utcnow, index=True)
    until = DateTimeField(null=True)


def is_blocked(throttle: Throttle | None, now: datetime) -> bool:
    """A throttle refuses until its time has passed."""
    return throttle is not None and throttle.blocked_until is not None and throttle.blocked_until > now
