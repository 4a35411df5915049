"""The document library and the daily reports filed into it.

Folder and document titles are kept in clear so they can be searched: by policy they are not
personal data (the upload form says so). Everything else a person typed or uploaded is
ciphertext: original filenames and deletion reasons are sealed with the field key, bound to
their row; file bytes live in the object store under random keys.
"""

from __future__ import annotations

from peewee import BlobField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField

from portal.core.models.accounts import Organisation, User
from portal.core.models.base import BaseModel, utcnow
from portal.core.models.storage import StoredObject


class Folder(BaseModel):
    """A shelf of documents for one purpose, owned by one organisation."""

    name = CharField(max_length=200)
    purpose = CharField(max_length=20)
    owner = ForeignKeyField(Organisation, backref="folders", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)


class FolderGrant(BaseModel):
    """Read or write access to a folder for an organisation or a role; revoked, never deleted."""

    folder = ForeignKeyField(Folder, backref="grants", on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, null=True, backref="folder_grants", on_delete="CASCADE")
    role = CharField(max_length=20, null=True)
    access = CharField(max_length=5)
    granted_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    granted_at = DateTimeField(default=utcnow)
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    revoked_at = DateTimeField(null=True)


class DailyReport(BaseModel):
    """The operator's report of one day; `issues` is sealed, `version` detects concurrent edits."""

    day = DateField(unique=True)
    calls = IntegerField()
    bookings = IntegerField()
    issues = BlobField()
    version = IntegerField(default=1)
    filed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    filed_at = DateTimeField(default=utcnow)
    updated_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    updated_at = DateTimeField(default=utcnow)


class Document(BaseModel):
    """A titled document in a folder; its content is its versions. Soft-deleted with a reason."""

    folder = ForeignKeyField(Folder, backref="documents", on_delete="RESTRICT")
    title = CharField(max_length=200, index=True)
    daily_report = ForeignKeyField(DailyReport, null=True, backref="attachments", on_delete="RESTRICT")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True, index=True)
    deleted_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    deletion_reason = BlobField(null=True)


class DocumentVersion(BaseModel):
    """One uploaded file of a document: its object, its sealed original name and its type."""

    document = ForeignKeyField(Document, backref="versions", on_delete="RESTRICT")
    number = IntegerField()
    stored = ForeignKeyField(StoredObject, backref="+", on_delete="RESTRICT")
    filename = BlobField()
    extension = CharField(max_length=10)
    mimetype = CharField(max_length=100)
    uploaded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("document", "number"), True),)
