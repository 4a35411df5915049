"""Consultation records: one per attended booking, versioned, with grants and attachments.

Every text a consultant writes (the body of each version, a deletion's reason, an attachment's
original filename) is ciphertext here, bound to its row; only dates, ids and the follow-up due
date (which the operator schedules by) are in clear.
"""

from __future__ import annotations

import uuid

from peewee import BlobField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, UUIDField

from portal.core.models.accounts import User
from portal.core.models.base import BaseModel, CrossStoreKey, utcnow
from portal.core.models.reservations import Booking
from portal.core.models.storage import StoredObject


class ConsultationRecord(BaseModel):
    """The record of one attended booking; its content lives in RecordVersion rows."""

    booking = CrossStoreKey(Booking, unique=True, backref="records")
    author = ForeignKeyField(User, backref="records", on_delete="RESTRICT")
    version = IntegerField(default=1)
    follow_up_due = DateField(null=True, index=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)
    deleted_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    deletion_reason = BlobField(null=True)


class RecordVersion(BaseModel):
    """One saved state of a record; never changed once written."""

    record = ForeignKeyField(ConsultationRecord, backref="versions", on_delete="RESTRICT")
    version = IntegerField()
    body = BlobField()
    saved_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    saved_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("record", "version"), True),)


class RecordGrant(BaseModel):
    """Read access to another consultant's record, given (and taken back) by the city."""

    record = ForeignKeyField(ConsultationRecord, backref="grants", on_delete="RESTRICT")
    grantee = ForeignKeyField(User, backref="record_grants", on_delete="RESTRICT")
    granted_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    granted_at = DateTimeField(default=utcnow)
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    revoked_at = DateTimeField(null=True)


class RecordAttachment(BaseModel):
    """A file on a record: its encrypted object, the type decided from its bytes, its sealed name."""

    id = UUIDField(primary_key=True, default=uuid.uuid4)
    record = ForeignKeyField(ConsultationRecord, backref="attachments", on_delete="RESTRICT")
    stored = ForeignKeyField(StoredObject, unique=True, backref="+", on_delete="RESTRICT")
    extension = CharField(max_length=10)
    filename = BlobField()
    uploaded_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    uploaded_at = DateTimeField(default=utcnow)
    deleted_at = DateTimeField(null=True)
    deleted_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")


RECORD_MODELS = [ConsultationRecord, RecordVersion, RecordGrant, RecordAttachment]
