"""The chain's state at the top of the audit log page, cheap enough for every page load.

A full verification walks every event and every anchor line (see `portal.staff.audit.verify`):
on a log of a million events that takes seconds and holds the anchor's lock meanwhile, so the
page does not run one. It shows the last result `portal audit verify` stored (signed, see
`portal.staff.audit.verified`), how many events were chained after it, and one check that costs
a constant time whatever the log's size: the anchor file's newest line against the database's
newest event, read under the anchor's lock. That catches the attack the anchor exists for
(deleting the newest events) between two scheduled verifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from portal.core.models import AuditEvent
from portal.staff.audit import anchor
from portal.staff.audit.keys import audit_keys
from portal.staff.audit.verified import LastVerification, last


@dataclass(frozen=True)
class ChainStatus:
    """What the page says about the chain."""

    verification: LastVerification | None
    unverified: int  # events chained after the last verification's newest
    newest: int  # the newest event's sequence number (0 for an empty log)
    anchored_at: datetime | None  # when the anchor file was last written (UTC); None without one
    head_matches: bool  # the anchor's newest line names the newest event, with its hash


def chain_status() -> ChainStatus:
    """The state of the chain now."""
    with anchor.newest(current_app.config["PORTAL"].audit_anchor) as head:
        event = AuditEvent.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).first()
    newest = event.seq if event else 0
    if head is None:
        matches = event is None
    else:
        matches = event is not None and head.line == (event.seq, event.hash)
    verification = last(audit_keys())
    verified_up_to = verification.result.newest if verification else 0
    return ChainStatus(
        verification=verification,
        unverified=max(0, newest - verified_up_to),
        newest=newest,
        anchored_at=head.written_at if head else None,
        head_matches=matches,
    )
