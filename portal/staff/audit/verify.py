"""Verifying the audit log: the chain in the database and the anchor file, each against the other."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from peewee import fn

from portal.core.models import AuditEvent, PublicEvent
from portal.staff.audit import PUBLIC_ACTIONS, anchor
from portal.staff.audit.chain import GENESIS, chain_hash
from portal.staff.audit.keys import AuditKeyError, AuditKeys

EventCheck = Callable[[AuditEvent], str | None]


@dataclass
class Verification:
    """What `portal audit verify` found."""

    events: int
    problems: list[str]
    waiting: int  # events the public instance reported that no staff event has chained yet
    newest: int = 0  # the newest event walked


def walk(events: Iterable[AuditEvent], anchored: dict[int, tuple[int, str]], check: EventCheck) -> list[str]:
    """Check the sequence, the links and each event's hash, and compare with the anchor both ways.

    `anchored` is consumed: what is left names events the database no longer holds.
    """
    problems = []
    # Sequence numbers start at 1, so any default below 2 reads the same (equivalent mutants).
    last_anchored = max(anchored, default=0)  # pragma: no mutate
    prev_hash, expected = GENESIS, 1
    for event in events:
        if event.seq != expected:
            problems.append(f"event {expected} is missing (next is {event.seq})")
        if event.prev_hash != prev_hash:
            problems.append(f"event {event.seq} does not link to its predecessor")
        problem = check(event)
        if problem:
            problems.append(problem)
        entry = anchored.pop(event.seq, None)
        # `<=` would read the same: the newest anchored seq always has its entry.
        if entry is None and event.seq < last_anchored:  # pragma: no mutate
            problems.append(f"the anchor has no line for event {event.seq} (a gap in the anchor)")
        elif entry is None:
            problems.append(f"event {event.seq} is not in the anchor (the staff instance did not chain it)")
        elif entry[1] != event.hash:
            problems.append(f"event {event.seq} differs from its hash on anchor line {entry[0]}")
        prev_hash, expected = event.hash, event.seq + 1
    for seq, (number, _) in sorted(anchored.items()):
        problems.append(f"event {seq} (anchor line {number}) is not in the database: it was deleted")
    return problems


def verify(anchor_path: Path, keys: AuditKeys) -> Verification:
    """Walk every event and every anchor line; each problem is one line of the result."""
    with anchor.reading(anchor_path) as reading:
        newest = AuditEvent.select(fn.MAX(AuditEvent.seq)).scalar() or 0
    problems = []
    if reading is None:
        reading = anchor.AnchorReading()
        if newest:
            problems.append(f"the anchor file {anchor_path} is missing")
    problems += reading.malformed + reading.disorder

    def check(event: AuditEvent) -> str | None:
        if event.key_id is None:
            return f"event {event.seq} is not keyed: no staff instance chained it"
        try:
            key = keys.key(event.key_id)
        except AuditKeyError:
            return f"event {event.seq} names audit key {event.key_id!r}, which is not in the key directory"
        if not hmac.compare_digest(chain_hash(key, event), event.hash):
            return f"event {event.seq} does not verify under audit key {event.key_id}: altered or forged"
        return None

    in_view = AuditEvent.select().where(AuditEvent.seq <= newest).order_by(AuditEvent.seq)
    problems += walk(in_view.iterator(), reading.entries, check)
    problems += [
        f"the public instance reported {row.action!r} (waiting event {row.id}), which it never records"
        for row in PublicEvent.select().where(PublicEvent.action.not_in(PUBLIC_ACTIONS))
    ]
    waiting = PublicEvent.select().where(PublicEvent.action.in_(PUBLIC_ACTIONS)).count()
    return Verification(events=in_view.count(), problems=problems, waiting=waiting, newest=newest)
