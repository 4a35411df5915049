"""Documents and their versions: added through the one upload path, moved, soft-deleted, destroyed.

A file is identified and stored before its rows are written; if writing them fails the object
is destroyed again (`uploads.holding`), so no row is left without its object and no object
without its row.
"""

from __future__ import annotations

from peewee import fn
from werkzeug.datastructures import FileStorage

from portal.core.database import locked
from portal.core.models import DailyReport, Document, DocumentVersion, Folder, StoredObject, User
from portal.core.models.base import utcnow
from portal.staff import audit
from portal.staff.security.secrets_at_rest import secret_box
from portal.staff.storage.transfer import object_store
from portal.staff.storage.uploads import Received, holding, receive

OBJECT_KIND = "document"


class Gone(Exception):
    """The document was deleted or moved away while the file was being stored."""


def filename_context(document_id: int, number: int) -> str:
    """Binds a sealed filename to its document and version."""
    return f"document-version:{document_id}:{number}:filename"


def reason_context(document_id: int) -> str:
    """Binds a sealed deletion reason to its document."""
    return f"document:{document_id}:deletion-reason"


def filename_of(version: DocumentVersion) -> str:
    """The original filename, for display and download."""
    return secret_box().open(version.filename, filename_context(version.document_id, version.number))


def deletion_reason_of(document: Document) -> str:
    """Why the document was deleted."""
    return secret_box().open(document.deletion_reason, reason_context(document.id))


def _add_version(document: Document, number: int, received: Received, user: User) -> DocumentVersion:
    return DocumentVersion.create(
        document=document,
        number=number,
        stored=received.stored.id,
        filename=secret_box().seal(received.filename, filename_context(document.id, number)),
        extension=received.filetype.extension,
        mimetype=received.filetype.mimetype,
        uploaded_by=user.id,
    )


def add_document(
    folder: Folder, title: str, upload: FileStorage, user: User, daily_report: DailyReport | None = None
) -> Document:
    """A new document with its first version; raises filetypes.Refused before anything is stored."""
    with holding(receive(upload, OBJECT_KIND)) as received:
        document = Document.create(folder=folder, title=title, created_by=user.id, daily_report=daily_report)
        _add_version(document, 1, received, user)
    audit.record("document.upload", object_type="document", object_id=document.id)
    return document


def add_version(document: Document, upload: FileStorage, user: User) -> DocumentVersion:
    """The next version of a live document; raises Gone if it was deleted meanwhile."""
    with holding(receive(upload, OBJECT_KIND)) as received:
        current = locked(Document.select().where(Document.id == document.id)).first()
        if current is None or current.deleted_at is not None or current.folder_id != document.folder_id:
            raise Gone(document.id)
        last = (
            DocumentVersion.select(fn.MAX(DocumentVersion.number))
            .where(DocumentVersion.document == document.id)
            .scalar()
        )
        version = _add_version(document, (last or 0) + 1, received, user)
        Document.update(updated_at=utcnow()).where(Document.id == document.id).execute()
    audit.record("document.new-version", object_type="document-version", object_id=version.id)
    return version


def move(document: Document, destination: Folder) -> None:
    """Put the document in another folder (the caller has checked write access to both)."""
    Document.update(folder=destination).where(Document.id == document.id).execute()
    audit.record("document.move", object_type="document", object_id=document.id)


def soft_delete(document: Document, reason: str, user: User) -> None:
    """Hide the document from everyone; retention destroys it after the grace period."""
    Document.update(
        deleted_at=utcnow(),
        deleted_by=user.id,
        deletion_reason=secret_box().seal(reason, reason_context(document.id)),
    ).where(Document.id == document.id, Document.deleted_at.is_null()).execute()
    audit.record("document.delete", object_type="document", object_id=document.id)


def destroy_version(version: DocumentVersion) -> None:
    """Delete a version's ciphertext and data key, then its row (inside the caller's transaction)."""
    stored = StoredObject.get_or_none(StoredObject.id == version.stored_id)
    version.delete_instance()
    if stored is not None:
        object_store().destroy(stored)


def destroy_document(document: Document) -> list[tuple[str, str]]:
    """Destroy every version, then the document; returns the versions destroyed with it."""
    parts = []
    for version in DocumentVersion.select().where(DocumentVersion.document == document.id):
        destroy_version(version)
        parts.append(("document-version", str(version.id)))
    document.delete_instance()
    return parts
