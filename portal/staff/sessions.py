"""Server-side staff sessions behind a per-zone cookie.

The cookie is Flask's signed cookie; once signed in it carries a random token whose SHA-256
is a row in StaffSession. Signing out, disabling an account or an administrator ending a
session deletes or revokes the row, so the next request with the old cookie is anonymous.
Rows are made only at sign-in, never for anonymous visitors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app

from portal.core.dates import business_today
from portal.core.models import Organisation, StaffSession, User
from portal.core.models.base import utcnow

LAST_SEEN_GRANULARITY = timedelta(seconds=30)
AGENT_LENGTH = 200


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, client: str, agent: str) -> str:
    """A new session row and the token for the cookie (a fresh id at every sign-in).

    The browser's User-Agent is kept (cut to 200 characters) so its owner can tell sessions apart.
    """
    token = secrets.token_urlsafe(32)
    StaffSession.create(
        token_hash=_token_hash(token), user=user, client=client, user_agent=agent[:AGENT_LENGTH]
    )
    return token


def _limits() -> tuple[timedelta, timedelta]:
    settings = current_app.config["PORTAL"]
    return timedelta(minutes=settings.session_idle_minutes), timedelta(hours=settings.session_lifetime_hours)


def load_session(token: str) -> User | None:
    """The signed-in user for a cookie token, or None if the session is gone or expired."""
    row = (
        StaffSession.select(StaffSession, User, Organisation)
        .join(User)
        .join(Organisation)  # may_sign_in reads the contract: one query per request, not two
        .where(StaffSession.token_hash == _token_hash(token), StaffSession.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    now = utcnow()
    idle, lifetime = _limits()
    if (  # idle for the whole timeout, or as old as the lifetime: ended (as open_sessions lists them)
        now - row.last_seen_at >= idle
        or now - row.created_at >= lifetime
        or not row.user.may_sign_in(business_today())
    ):
        revoke(row)
        return None
    if now - row.last_seen_at > LAST_SEEN_GRANULARITY:
        StaffSession.update(last_seen_at=now).where(StaffSession.id == row.id).execute()
    user = row.user
    user.session_token = token
    user.staff_session = row
    return user


def touch(session: StaffSession) -> None:
    """Push the idle timeout out (the page's "stay signed in" button)."""
    StaffSession.update(last_seen_at=utcnow()).where(StaffSession.id == session.id).execute()


def revoke(session: StaffSession) -> None:
    """End one session."""
    StaffSession.update(revoked_at=utcnow()).where(StaffSession.id == session.id).execute()


def revoke_all(user: User) -> int:
    """End every session of a user; returns how many were open."""
    return (
        StaffSession.update(revoked_at=utcnow())
        .where(StaffSession.user == user, StaffSession.revoked_at.is_null())
        .execute()
    )


def open_sessions(user: User) -> list[StaffSession]:
    """The user's sessions that still work (not ended, not past either timeout), latest first."""
    idle, lifetime = _limits()
    now = utcnow()
    return list(
        StaffSession.select()
        .where(
            StaffSession.user == user,
            StaffSession.revoked_at.is_null(),
            StaffSession.last_seen_at > now - idle,
            StaffSession.created_at > now - lifetime,
        )
        .order_by(StaffSession.last_seen_at.desc(), StaffSession.id.desc())
    )


def revoke_others(user: User, keep: StaffSession) -> int:
    """End every session of a user but `keep`; returns how many were open."""
    return (
        StaffSession.update(revoked_at=utcnow())
        .where(StaffSession.user == user, StaffSession.id != keep.id, StaffSession.revoked_at.is_null())
        .execute()
    )


def revoke_everyone_but(keep: StaffSession) -> int:
    """End every session of every user but `keep` (an administrator's, who goes on working)."""
    return (
        StaffSession.update(revoked_at=utcnow())
        .where(StaffSession.id != keep.id, StaffSession.revoked_at.is_null())
        .execute()
    )


def draft_key(user: User) -> str:
    """The key (base64, 256 bits) a page seals its drafts with in the browser's storage.

    Derived from this session's token, so storage only ever holds ciphertext, and a draft left
    behind by an ended session opens under no later one.
    """
    secret = current_app.config["SECRET_KEY"].encode()
    key = hmac.new(secret, b"draft-key\n" + user.session_token.encode(), hashlib.sha256).digest()
    return base64.b64encode(key).decode("ascii")
