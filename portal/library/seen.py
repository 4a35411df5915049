"""Who has seen a document: its views and downloads, read back from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.models import AuditEvent, Document, DocumentVersion, User

SHOWN = 500


@dataclass(frozen=True)
class Seen:
    """One view or download: who, when (UTC), from which address, and which version."""

    at: datetime
    who: User | None
    client: str | None
    action: str
    version: int | None


def views_and_downloads(document: Document) -> list[Seen]:
    """The newest views and downloads first; outcomes other than "ok" are not sightings."""
    numbers = {
        str(v.id): v.number
        for v in DocumentVersion.select(DocumentVersion.id, DocumentVersion.number).where(
            DocumentVersion.document == document.id
        )
    }
    events = list(
        AuditEvent.select()
        .where(
            AuditEvent.outcome == "ok",
            (
                (AuditEvent.action == "document.view")
                & (AuditEvent.object_type == "document")
                & (AuditEvent.object_id == str(document.id))
            )
            | (
                (AuditEvent.action == "document.download")
                & (AuditEvent.object_type == "document-version")
                & AuditEvent.object_id.in_(list(numbers) or [""])
            ),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(SHOWN)
    )
    users = {u.id: u for u in User.select().where(User.id.in_({e.actor_id for e in events} or {0}))}
    return [
        Seen(
            at=event.at,
            who=users.get(event.actor_id),
            client=event.client,
            action=event.action,
            version=numbers.get(event.object_id) if event.object_type == "document-version" else None,
        )
        for event in events
    ]
