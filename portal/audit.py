"""Record and verify audit events.

Each event's hash covers its fields and the previous hash, so editing or removing an event
breaks the chain; each new head is also appended to an anchor file outside the database, so
deleting the newest events (which leaves a valid shorter chain) is caught as well.
Events hold ids and addresses, never personal data or secrets.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, g, has_request_context, request

from portal.database import database, is_postgres, write_transaction
from portal.models import AuditEvent
from portal.models.base import utcnow

GENESIS = "0" * 64
CHAIN_LOCK_ID = 0x6D61646F  # serialises appends on PostgreSQL


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    """The hash that links `event` to its predecessor."""
    payload = json.dumps(
        [
            event.seq,
            event.at.isoformat(),
            event.actor_id,
            event.action,
            event.object_type,
            event.object_id,
            event.client,
            event.outcome,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def record(
    action: str,
    *,
    outcome: str = "ok",
    object_type: str | None = None,
    object_id: object = None,
    actor_id: int | None = None,
) -> AuditEvent:
    """Append one event; who and from where come from the request when there is one.

    Call it outside any open transaction: the anchor is written once the event is committed.
    """
    if database.in_transaction():
        raise RuntimeError("audit events are recorded after the change has committed")
    if actor_id is None:
        actor_id = g.get("actor_id") if has_request_context() else None
    client = request.remote_addr if has_request_context() else None
    with write_transaction():
        if is_postgres():
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK_ID,))
        last = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
        event = AuditEvent(
            seq=last.seq + 1 if last else 1,
            at=utcnow(),
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            client=client,
            outcome=outcome,
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = chain_hash(event.prev_hash, event)
        event.save(force_insert=True)
    _append_anchor(current_app.config["PORTAL"].audit_anchor, event)
    return event


def _append_anchor(path: Path, event: AuditEvent) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, f"{event.seq} {event.hash}\n".encode("ascii"))
    finally:
        os.close(fd)


def _read_anchor(path: Path) -> dict[int, str]:
    anchored: dict[int, str] = {}
    if not path.exists():
        return anchored
    for number, line in enumerate(path.read_text(encoding="ascii").splitlines(), 1):
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit():
            anchored[-number] = line
            continue
        anchored[int(parts[0])] = parts[1]
    return anchored


@dataclass
class Verification:
    """What `portal audit verify` found."""

    events: int
    problems: list[str]


def verify(anchor_path: Path) -> Verification:
    """Walk the whole chain and compare it with the anchor file."""
    problems: list[str] = []
    prev_hash = GENESIS
    seen: dict[int, str] = {}
    expected_seq = 1
    for event in AuditEvent.select().order_by(AuditEvent.seq).iterator():
        if event.seq != expected_seq:
            problems.append(f"event {expected_seq} is missing (next is {event.seq})")
        if event.prev_hash != prev_hash:
            problems.append(f"event {event.seq} does not link to its predecessor")
        if chain_hash(event.prev_hash, event) != event.hash:
            problems.append(f"event {event.seq} was altered")
        seen[event.seq] = event.hash
        prev_hash = event.hash
        expected_seq = event.seq + 1
    last_seq = expected_seq - 1
    for seq, anchored_hash in sorted(_read_anchor(anchor_path).items()):
        if seq < 0:
            problems.append(f"anchor line {-seq} is malformed")
        elif seq > last_seq:
            problems.append(f"events after {last_seq} were deleted (the anchor holds {seq})")
            break
        elif seen.get(seq) != anchored_hash:
            problems.append(f"event {seq} differs from its anchored hash")
    return Verification(events=len(seen), problems=problems)
