"""Adopting an audit log chained before audit keys existed, with plain SHA-256.

The old chain is verified with its own algorithm against its anchor, both ways, so an event a
database writer slipped in before the upgrade is refused rather than adopted. Then every event
is chained again under the current audit key and the anchor is rewritten; the old anchor stays
beside it as `<name>.legacy`, which a second run reads, so an interrupted adoption can run again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from portal.core.database import write_transaction
from portal.core.models import AuditEvent
from portal.staff.audit import anchor
from portal.staff.audit.chain import GENESIS, chain_hash, legacy_hash, lock_chain
from portal.staff.audit.keys import AuditKeys
from portal.staff.audit.verify import walk
from portal.staff.keys import write_new

PAGE = 1000


class LegacyChainError(Exception):
    """The unkeyed chain does not verify against its anchor, so it is not adopted."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def has_legacy_chain() -> bool:
    """Events exist and none is keyed: a log from before audit keys that was never adopted."""
    keyed = AuditEvent.select().where(AuditEvent.key_id.is_null(False))
    return AuditEvent.select().exists() and not keyed.exists()


def legacy_anchor(anchor_path: Path) -> Path:
    """Where adoption keeps the unkeyed chain's anchor."""
    return anchor_path.with_name(anchor_path.name + ".legacy")


def _events() -> Iterator[AuditEvent]:
    last = 0
    while page := list(AuditEvent.select().where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(PAGE)):
        yield from page
        last = page[-1].seq


def _legacy_problem(event: AuditEvent) -> str | None:
    if legacy_hash(event.prev_hash, event) != event.hash:
        return f"event {event.seq} does not match its SHA-256: altered or forged"
    return None


def _rechain(key_id: str, key: bytes) -> Iterator[AuditEvent]:
    prev_hash = GENESIS
    for event in _events():
        event.key_id, event.prev_hash = key_id, prev_hash
        event.hash = prev_hash = chain_hash(key, event)
        AuditEvent.update(key_id=key_id, prev_hash=event.prev_hash, hash=event.hash).where(
            AuditEvent.seq == event.seq
        ).execute()
        yield event


def adopt_legacy_chain(anchor_path: Path, keys: AuditKeys) -> int:
    """Verify the unkeyed chain, then chain it under the current audit key; returns how many events.

    Raises LegacyChainError, changing nothing, if the old chain or its anchor was tampered with.
    """
    kept = legacy_anchor(anchor_path)
    with anchor.writing(anchor_path) as anchored, write_transaction():
        lock_chain()
        if not has_legacy_chain():
            return 0
        source = (kept if kept.exists() else anchor_path).read_bytes()
        reading = anchor.parse(source.decode("ascii", errors="replace"))
        # The old writer anchored after committing, unlocked, so its lines may be out of order.
        problems = reading.malformed + walk(_events(), reading.entries, _legacy_problem)
        if problems:
            raise LegacyChainError(problems)
        write_new(kept, source)
        key_id = keys.current()
        anchored.replace(_rechain(key_id, keys.key(key_id)))
        return AuditEvent.select().count()
