"""Retention of consultation records and their attachments: what has expired, and destroying it.

A soft-deleted record or attachment goes once the grace period has passed; a live record once it
has not changed for the records' retention (taking its attachments, versions and grants with it);
a live attachment once it is older than the attachments' retention.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.core.models import ConsultationRecord, RecordAttachment, RecordGrant, RecordVersion
from portal.core.settings import Settings
from portal.staff.retention import Expired, deleted_or_aged, register
from portal.staff.storage.transfer import object_store


def expired_records(settings: Settings, now: datetime) -> Iterator[Expired]:
    """Deleted past the grace period, or unchanged for longer than the records' retention."""
    return deleted_or_aged(
        ConsultationRecord, ConsultationRecord.updated_at, "retention_records_days", settings, now
    )


def _destroy_attachment(attachment: RecordAttachment) -> None:
    """The row that names the object first (it refers to the object's row), then ciphertext and key."""
    stored = attachment.stored
    attachment.delete_instance()
    object_store().destroy(stored)


def destroy_record(object_id: str) -> list[tuple[str, str]]:
    """Every attachment's ciphertext and data key, then the versions, grants and the record."""
    record = ConsultationRecord.get_by_id(int(object_id))
    parts = []
    for attachment in RecordAttachment.select().where(RecordAttachment.record == record.id):
        parts.append(("record-attachment", str(attachment.id)))
        _destroy_attachment(attachment)
    RecordVersion.delete().where(RecordVersion.record == record.id).execute()
    RecordGrant.delete().where(RecordGrant.record == record.id).execute()
    record.delete_instance()
    return parts


def expired_attachments(settings: Settings, now: datetime) -> Iterator[Expired]:
    """Deleted past the grace period, or older than the attachments' retention."""
    return deleted_or_aged(
        RecordAttachment, RecordAttachment.uploaded_at, "retention_attachments_days", settings, now
    )


def destroy_attachment(object_id: str) -> list[tuple[str, str]]:
    """One attachment's ciphertext, data key and row."""
    _destroy_attachment(RecordAttachment.get_by_id(object_id))
    return []


register("record", expired_records, destroy_record, label=_l("相談記録"))
register("record-attachment", expired_attachments, destroy_attachment, label=_l("相談記録の添付ファイル"))
