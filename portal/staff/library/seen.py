"""Who has seen a document: its views and downloads, read back from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.core.models import Document, DocumentVersion, User
from portal.staff.seen import sightings

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
    return [
        Seen(
            at=seen.event.at,
            who=seen.actor,
            client=seen.event.client,
            action=seen.event.action,
            version=(
                numbers.get(seen.event.object_id) if seen.event.object_type == "document-version" else None
            ),
        )
        for seen in sightings(
            ("document", [document.id], ["document.view"]),
            ("document-version", numbers, ["document.download"]),
            limit=SHOWN,
        )
    ]
