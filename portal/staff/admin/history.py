"""An account's history: its approval requests and what was done to it, from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from peewee import JOIN

from portal.core.models import AccountApproval, User
from portal.staff.names import person_name
from portal.staff.seen import sightings

ACCOUNT_EVENTS = {
    "user.create": _l("作成"),
    "user.approval-requested": _l("承認を依頼"),
    "user.approved": _l("承認"),
    "user.approval-rejected": _l("却下（停止）"),
    "user.approval-withdrawn": _l("承認の依頼を取り下げ"),
    "user.role": _l("役割を変更"),
    "user.disable": _l("停止"),
    "user.enable": _l("再開"),
    "user.expiry": _l("利用期限を変更"),
    "user.second-factor-reset": _l("二要素認証をリセット"),
    "user.second-factor-enrolled": _l("二要素認証を設定"),
    "user.password-reset": _l("パスワードをリセット（仮パスワードを発行）"),
    "user.password-changed": _l("パスワードを変更"),
}
# Events with no account behind them were made on the server's command line (or by `portal demo-seed`).
COMMAND_LINE = _l("サーバーのコマンド")


@dataclass
class Entry:
    """One change of the account: when (UTC), by whom, from where, what."""

    at: datetime
    who: str
    client: str | None
    what: str


def changes_of(user: User, limit: int = 500) -> list[Entry]:
    """What was done to the account, newest first."""
    return [
        Entry(
            seen.event.at,
            person_name(seen.actor) if seen.actor else str(COMMAND_LINE),
            seen.event.client,
            str(ACCOUNT_EVENTS[seen.event.action]),
        )
        for seen in sightings(("user", [user.id], ACCOUNT_EVENTS), limit=limit)
    ]


def approvals_of(user: User) -> list[AccountApproval]:
    """Every approval request for the account with who asked and who decided, newest first."""
    requester, decider = User.alias(), User.alias()
    return list(
        AccountApproval.select(AccountApproval, requester, decider)
        .join(requester, on=AccountApproval.requested_by == requester.id)
        .switch(AccountApproval)
        .join(decider, JOIN.LEFT_OUTER, on=AccountApproval.decided_by == decider.id)
        .where(AccountApproval.user == user.id)
        .order_by(AccountApproval.requested_at.desc(), AccountApproval.id.desc())
    )
