"""Retention of consultation records and their attachments: what has expired, and destroying it.

A soft-deleted record or attachment goes once the grace period has passed; a live record once it
has not changed for the records' retention (taking its attachments, versions and grants with it);
a live attachment once it is older than the attachments' retention.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from portal.models import ConsultationRecord, RecordAttachment, RecordGrant, RecordVersion
from portal.retention import DELETED, EXPIRED, Expired, register, rule
from portal.settings import Settings
from portal.storage.transfer import object_store


def expired_records(settings: Settings, now: datetime) -> Iterator[Expired]:
    """Deleted past the grace period, or unchanged for longer than the records' retention."""
    deleted_rule, grace = rule(settings, "retention_deleted_days")
    deleted = ConsultationRecord.select(ConsultationRecord.id).where(
        ConsultationRecord.deleted_at <= now - timedelta(days=grace)
    )
    for record in deleted:
        yield Expired(str(record.id), DELETED, deleted_rule)
    age_rule, days = rule(settings, "retention_records_days")
    old = ConsultationRecord.select(ConsultationRecord.id).where(
        ConsultationRecord.deleted_at.is_null(), ConsultationRecord.updated_at <= now - timedelta(days=days)
    )
    for record in old:
        yield Expired(str(record.id), EXPIRED, age_rule)


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
    deleted_rule, grace = rule(settings, "retention_deleted_days")
    deleted = RecordAttachment.select(RecordAttachment.id).where(
        RecordAttachment.deleted_at <= now - timedelta(days=grace)
    )
    for attachment in deleted:
        yield Expired(str(attachment.id), DELETED, deleted_rule)
    age_rule, days = rule(settings, "retention_attachments_days")
    old = RecordAttachment.select(RecordAttachment.id).where(
        RecordAttachment.deleted_at.is_null(), RecordAttachment.uploaded_at <= now - timedelta(days=days)
    )
    for attachment in old:
        yield Expired(str(attachment.id), EXPIRED, age_rule)


def destroy_attachment(object_id: str) -> list[tuple[str, str]]:
    """One attachment's ciphertext, data key and row."""
    _destroy_attachment(RecordAttachment.get_by_id(object_id))
    return []


register("record", expired_records, destroy_record, label=_l("相談記録"))
register("record-attachment", expired_attachments, destroy_attachment, label=_l("相談記録の添付ファイル"))
