"""Chaining events: an HMAC-SHA-256 under an audit key over each event and its predecessor's hash."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

from portal.core.database import database, is_postgres, write_transaction
from portal.core.models import AuditEvent, PublicEvent
from portal.staff.audit import FROM_PUBLIC, PUBLIC_ACTIONS, anchor
from portal.staff.audit.keys import AuditKeys

GENESIS = "0" * 64
CHAIN_LOCK_ID = 0x6D61646F  # serialises appends on PostgreSQL
PENDING_BATCH = 500
COMPACT = (",", ":")  # json.dumps separators: the exact bytes every chain hash covers


def _fields(event: AuditEvent) -> list:
    return [
        event.seq,
        event.at.isoformat(),
        event.actor_id,
        event.action,
        event.object_type,
        event.object_id,
        event.client,
        event.outcome,
    ]


def chain_hash(key: bytes, event: AuditEvent) -> str:
    """The HMAC that links `event` to its predecessor, under the key named by `event.key_id`."""
    payload = json.dumps([event.key_id, event.prev_hash, *_fields(event)], separators=COMPACT)
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def legacy_hash(prev_hash: str, event: AuditEvent) -> str:
    """The unkeyed SHA-256 of chains from before audit keys, checked once when they are adopted."""
    payload = json.dumps(_fields(event), separators=COMPACT)
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def lock_chain() -> None:
    """Serialise writers of the chain within the open transaction (SQLite's is locked already)."""
    if is_postgres():
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK_ID,))


def append(anchor_path: Path, keys: AuditKeys, event: AuditEvent | None = None) -> list[AuditEvent]:
    """Chain what the public instance reported, then `event`, under the current key; returns them."""
    with anchor.writing(anchor_path) as anchored:
        with write_transaction():
            lock_chain()
            reported = list(
                PublicEvent.select()
                .where(PublicEvent.action.in_(PUBLIC_ACTIONS))
                .order_by(PublicEvent.id)
                .limit(PENDING_BATCH)
            )
            events = [
                AuditEvent(
                    at=row.at,
                    action=FROM_PUBLIC + row.action,
                    object_type=row.object_type,
                    object_id=row.object_id,
                    client=row.client,
                    outcome=row.outcome,
                )
                for row in reported
            ]
            if event is not None:
                events.append(event)
            key_id = keys.current()
            last = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
            seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS)
            for chained in events:
                seq += 1
                chained.seq, chained.key_id, chained.prev_hash = seq, key_id, prev_hash
                chained.hash = prev_hash = chain_hash(keys.key(key_id), chained)
                chained.save(force_insert=True)
            if reported:
                PublicEvent.delete().where(PublicEvent.id.in_([r.id for r in reported])).execute()
        anchored.append(events)
    return events
