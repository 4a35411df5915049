"""Attachments' bytes and names: received through the one upload path, named only in ciphertext.

The type is decided from the bytes and the name made safe by `portal.staff.storage.uploads`; the name
is sealed to its attachment. The object's storage key is random and unrelated to either.
"""

from __future__ import annotations

import uuid

from flask_login import current_user
from werkzeug.datastructures import FileStorage

from portal.core.database import locked
from portal.core.models import ConsultationRecord, RecordAttachment
from portal.staff.security.secrets_at_rest import secret_box
from portal.staff.storage.filetypes import TYPES, FileType
from portal.staff.storage.uploads import holding, receive

KIND = "record-attachment"


class RecordGone(Exception):
    """The record was deleted while the file was being stored."""


def name_context(attachment: RecordAttachment) -> str:
    """A sealed name opens only on its attachment of its record."""
    return f"record:{attachment.record_id}:attachment:{attachment.id}:name"


def name_of(attachment: RecordAttachment) -> str:
    """The display name."""
    return secret_box().open(attachment.filename, name_context(attachment))


def file_type(attachment: RecordAttachment) -> FileType:
    """The allowed type its bytes were identified as."""
    return TYPES[attachment.extension]


def attachment_rows(record: ConsultationRecord) -> list[tuple[RecordAttachment, str, bool]]:
    """The record's files that are not deleted, with their names and whether a preview is safe."""
    query = RecordAttachment.select().where(
        RecordAttachment.record == record.id, RecordAttachment.deleted_at.is_null()
    )
    return [
        (attachment, name_of(attachment), file_type(attachment).previewable)
        for attachment in query.order_by(RecordAttachment.uploaded_at)
    ]


def store_attachment(record: ConsultationRecord, upload: FileStorage) -> RecordAttachment:
    """An uploaded file on the signed-in author's record."""
    return attach(record, upload, current_user.id)


def attach(record: ConsultationRecord, upload: FileStorage, user_id: int) -> RecordAttachment:
    """Identify, encrypt and store the file, then its row; Refused (from identify) keeps nothing,
    and a row that cannot be written takes its object with it."""
    received = receive(upload, KIND)
    attachment = RecordAttachment(
        id=uuid.uuid4(), record=record.id, extension=received.filetype.extension, uploaded_by=user_id
    )
    attachment.filename = secret_box().seal(received.filename, name_context(attachment))
    with holding(received):
        current = locked(ConsultationRecord.select().where(ConsultationRecord.id == record.id)).get()
        if current.deleted_at is not None:
            raise RecordGone(record.id)
        attachment.stored = received.stored.id
        attachment.save(force_insert=True)
    return attachment
