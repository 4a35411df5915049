"""Who has seen a record: its views and its files' downloads, read back from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.core.models import ConsultationRecord, RecordAttachment
from portal.staff.names import person_name
from portal.staff.records.files import name_of
from portal.staff.seen import sightings

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
    labels = {**RECORD_VIEWS, **FILE_VIEWS}
    return [
        Seen(
            person_name(seen.actor) or "—",
            seen.event.at,
            seen.event.client,
            str(labels[seen.event.action]),
            files.get(seen.event.object_id, "") if seen.event.object_type == "attachment" else "",
        )
        for seen in sightings(("record", [record.id], RECORD_VIEWS), ("attachment", files, FILE_VIEWS))
    ]
