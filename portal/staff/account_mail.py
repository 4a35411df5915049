"""Email to staff about their own accounts, in Japanese: ids, roles and times, never an address or a name.

Sent while the request runs; a message the server refuses is logged and audited, never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import LazyString, force_locale

from portal.core import mail
from portal.core.models import User
from portal.staff import audit


def send(
    account: User,
    kind: str,
    subject: LazyString,
    recipients: Iterable[User],
    body: Callable[[User], str],
) -> None:
    """Mail `body(recipient)` to each recipient, in Japanese; audited once as `mail.<kind>`."""
    if not mail.enabled():
        return
    failed = 0
    with force_locale("ja"):
        for recipient in recipients:
            try:
                mail.send(mail.compose(recipient.email, str(subject), body(recipient)), kind)
            except mail.MailError:
                failed += 1
    audit.record(
        f"mail.{kind}", outcome="failed" if failed else "ok", object_type="user", object_id=account.id
    )
