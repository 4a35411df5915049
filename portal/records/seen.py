"""Who has seen a record: its views and its files' downloads, read back from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.models import AuditEvent, ConsultationRecord, RecordAttachment, User
from portal.records.files import name_of

RECORD_VIEWS = {"record.view": _l("記録を閲覧"), "record.version.view": _l("過去の版を閲覧")}
FILE_VIEWS = {
    "attachment.download": _l("ファイルをダウンロード"),
    "attachment.preview": _l("ファイルをプレビュー"),
}


@dataclass
class Seen:
    """One view or download: who, when (UTC), from which address, what."""

    who: str
    at: datetime
    client: str | None
    what: str
    file: str = ""


def seen_by(record: ConsultationRecord) -> list[Seen]:
    """Every successful view of the record and download of its files (deleted ones too), newest first."""
    files = {
        str(row.id): name_of(row)
        for row in RecordAttachment.select().where(RecordAttachment.record == record.id)
    }
    condition = (
        (AuditEvent.object_type == "record")
        & (AuditEvent.object_id == str(record.id))
        & AuditEvent.action.in_(list(RECORD_VIEWS))
    )
    if files:
        condition |= (
            (AuditEvent.object_type == "attachment")
            & AuditEvent.object_id.in_(list(files))
            & AuditEvent.action.in_(list(FILE_VIEWS))
        )
    events = list(
        AuditEvent.select().where(condition, AuditEvent.outcome == "ok").order_by(AuditEvent.seq.desc())
    )
    actors = {event.actor_id for event in events if event.actor_id is not None}
    emails = {user.id: user.email for user in User.select(User.id, User.email).where(User.id.in_(actors))}
    labels = {**RECORD_VIEWS, **FILE_VIEWS}
    return [
        Seen(
            emails.get(event.actor_id, "—"),
            event.at,
            event.client,
            str(labels[event.action]),
            files.get(event.object_id, "") if event.object_type == "attachment" else "",
        )
        for event in events
    ]
