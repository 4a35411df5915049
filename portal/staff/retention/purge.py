"""Destroying what has expired, one item per transaction, with a certificate for each object.

The certificate is written in the same transaction that removes the rows, after the item's
ciphertext has been deleted from its backend: an item is either still there (and the next run
tries again) or gone with its certificate. On SQLite the write-ahead log is checkpointed and
truncated afterwards, so deleted pages (zeroed by secure_delete) replace the old ones on disk.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from portal.core.database import database, is_postgres, write_transaction
from portal.core.models import DeletionCertificate
from portal.core.models.base import utcnow
from portal.core.settings import Settings
from portal.staff import audit
from portal.staff.retention import KINDS, Expired


@dataclass(frozen=True)
class Outcome:
    """What happened to one expired item: destroyed (with its parts), or the error that stopped it."""

    kind: str
    item: Expired
    parts: tuple[tuple[str, str], ...] = ()
    error: str | None = None


def _destroy(run: str, kind: str, item: Expired, destroy: Callable) -> Outcome:
    with write_transaction():
        parts = tuple(destroy(item.object_id))
        DeletionCertificate.create(
            kind=kind, object_id=item.object_id, reason=item.reason, rule=item.rule, run=run
        )
        for part_kind, part_id in parts:
            DeletionCertificate.create(
                kind=part_kind,
                object_id=part_id,
                reason=item.reason,
                rule=item.rule,
                part_of=f"{kind}:{item.object_id}",
                run=run,
            )
    audit.record("retention.destroy", object_type=kind, object_id=item.object_id)
    return Outcome(kind, item, parts)


def purge(settings: Settings, now: datetime | None = None, dry_run: bool = False) -> list[Outcome]:
    """Destroy every expired item of every registered kind; with `dry_run`, only list them."""
    now = now or utcnow()
    run = secrets.token_hex(8)
    outcomes = []
    for kind in list(KINDS.values()):
        for item in list(kind.expired(settings, now)):
            if dry_run:
                outcomes.append(Outcome(kind.name, item))
                continue
            try:
                outcomes.append(_destroy(run, kind.name, item, kind.destroy))
            except Exception as error:  # one item's fault (a backend down) must not stop the rest
                outcomes.append(Outcome(kind.name, item, error=type(error).__name__))
    if not dry_run and not is_postgres():
        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return outcomes
