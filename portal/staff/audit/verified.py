"""The results of `portal audit verify`, kept signed so the audit log page can show the last one.

A full verification reads every event and every anchor line: seconds on a large log, too slow
for a page. The command stores what it found; the page shows it with how many events came after.
Each result carries an HMAC under the current audit key, so a database writer without the key
cannot turn a failed run into a clean one (a result it deletes leaves an older one, or none).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from portal.core.database import write_transaction
from portal.core.models import AuditVerification
from portal.core.models.base import utcnow
from portal.staff.audit.chain import COMPACT
from portal.staff.audit.keys import AuditKeyError, AuditKeys
from portal.staff.audit.verify import Verification


@dataclass(frozen=True)
class LastVerification:
    """The newest stored result, and whether its signature holds."""

    result: AuditVerification
    genuine: bool


def _mac(key: bytes, row: AuditVerification) -> str:
    payload = json.dumps(
        [row.key_id, row.at.isoformat(), row.events, row.newest, row.problems], separators=COMPACT
    )
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def remember(found: Verification, keys: AuditKeys) -> None:
    """Store what a verification found, signed under the current audit key."""
    key_id = keys.current()
    row = AuditVerification(
        at=utcnow(), events=found.events, newest=found.newest, problems=len(found.problems), key_id=key_id
    )
    row.mac = _mac(keys.key(key_id), row)
    with write_transaction():
        row.save()


def last(keys: AuditKeys) -> LastVerification | None:
    """The newest stored result, if any run stored one."""
    row = AuditVerification.select().order_by(AuditVerification.id.desc()).first()
    if row is None:
        return None
    try:
        genuine = hmac.compare_digest(_mac(keys.key(row.key_id), row), row.mac)
    except AuditKeyError:
        genuine = False
    return LastVerification(row, genuine)
