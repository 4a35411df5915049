"""Attachments' bytes and names: stored through the one upload path, named only in ciphertext.

The type is decided from the bytes; the original name is kept for display (Japanese included),
reduced to its last path part without control or direction-changing characters, and made to end
in the extension of the type the bytes are, so the file opens as what it is. The object's
storage key is random and unrelated to either.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid

from flask import current_app
from flask_login import current_user
from werkzeug.datastructures import FileStorage

from portal.database import locked, write_transaction
from portal.models import ConsultationRecord, RecordAttachment, StoredObject
from portal.records.content import secret_box
from portal.storage.filetypes import TYPES, FileType, identify
from portal.storage.transfer import object_store, store_stream

KIND = "record-attachment"
MAX_NAME = 200
FALLBACK_STEM = "添付ファイル"
SUFFIXES = {"jpg": ("jpg", "jpeg")}
PATH_SEPARATORS = re.compile(r"[/\\]")


class RecordGone(Exception):
    """The record was deleted while the file was being stored."""


def display_name(raw: str | None, extension: str) -> str:
    """The name a person sees and downloads the file under."""
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(
        c for c in text if unicodedata.category(c)[0] != "C" and unicodedata.category(c) not in ("Zl", "Zp")
    )
    name = PATH_SEPARATORS.split(text)[-1].strip().strip(".").strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix.lower() not in SUFFIXES.get(extension, (extension,)):
        stem = name
    stem = stem[: MAX_NAME - len(extension) - 1].strip() or FALLBACK_STEM
    return f"{stem}.{extension}"


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
    return attach(record, upload.read(), upload.filename, current_user.id)


def attach(record: ConsultationRecord, data: bytes, filename: str | None, user_id: int) -> RecordAttachment:
    """Identify, encrypt and store the file, then its row; Refused (from identify) keeps nothing,
    and a row that cannot be written takes its object with it."""
    kind = identify(data, allow_legacy_office=current_app.config["PORTAL"].allow_legacy_office)
    attachment = RecordAttachment(
        id=uuid.uuid4(), record=record.id, extension=kind.extension, uploaded_by=user_id
    )
    attachment.filename = secret_box().seal(display_name(filename, kind.extension), name_context(attachment))
    stored = store_stream(io.BytesIO(data), KIND)
    try:
        with write_transaction():
            current = locked(ConsultationRecord.select().where(ConsultationRecord.id == record.id)).get()
            if current.deleted_at is not None:
                raise RecordGone(record.id)
            attachment.stored = stored.id
            attachment.save(force_insert=True)
    except BaseException:
        _forget(stored)
        raise
    return attachment


def _forget(stored: StoredObject) -> None:
    """An object no attachment holds: its row (and so its data key) first, then the ciphertext."""
    try:
        StoredObject.delete().where(StoredObject.id == stored.id).execute()
    finally:
        object_store().backend_for(stored).delete(stored.storage_key)
