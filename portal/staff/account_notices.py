"""Notices about accounts on the staff home page: the holder sees their own, administrators everyone's.

A notice holds an account id, what happened and times, never personal data, and shows for
SHOWN_FOR after it was made.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.core.models import AccountNotice, User
from portal.core.models.base import utcnow
from portal.staff.permissions import ADMIN

SHOWN_FOR = timedelta(days=14)
CODES_PAUSED = "codes-paused"


def add(account: User, kind: str, until: datetime | None = None) -> None:
    """Tell the account's holder and the administrators that `kind` happened to it."""
    AccountNotice.create(account=account.id, kind=kind, until=until)


def shown_to(user: User) -> list[AccountNotice]:
    """The recent notices `user` sees, newest first; each knows its account (for the role)."""
    query = (
        AccountNotice.select(AccountNotice, User)
        .join(User)
        .where(AccountNotice.created_at >= utcnow() - SHOWN_FOR)
        .order_by(AccountNotice.created_at.desc(), AccountNotice.id.desc())
    )
    if user.role not in ADMIN:
        query = query.where(AccountNotice.account == user.id)
    return list(query.limit(50))
