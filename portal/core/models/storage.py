"""Stored objects' metadata and wrapped data keys, and the check values of the keys."""

from __future__ import annotations

import uuid

from peewee import (
    BigIntegerField,
    BlobField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
    UUIDField,
)

from portal.core.models.accounts import StaffSession, User
from portal.core.models.base import BaseModel, utcnow


class StoredObject(BaseModel):
    """One encrypted object: where it is, its wrapped data key, and how to verify its plaintext."""

    id = UUIDField(primary_key=True, default=uuid.uuid4)
    storage_key = CharField(max_length=80, unique=True)
    backend = CharField(max_length=20)
    kind = CharField(max_length=30)
    size = BigIntegerField()
    sha256 = CharField(max_length=64)
    format = IntegerField()
    kek_id = CharField(max_length=20, index=True)
    wrapped_key = BlobField()
    created_at = DateTimeField(default=utcnow)


class KeyCheck(BaseModel):
    """A value sealed with each key-encryption key at its creation (one row each, named by
    keyring.check_name): opening it proves the key is the right one."""

    name = CharField(max_length=40, unique=True)
    check = BlobField()
    created_at = DateTimeField(default=utcnow)


class ChunkedUpload(BaseModel):
    """A file arriving in chunks, sealed part by part into the object it becomes when a form takes it.

    Only its user, in the session that began it, reaches it. Its data key is wrapped like an
    object's and bound to the object's id to be; `received` only grows, by compare-and-set, and
    `busy_until` holds it for one writer at a time (a chunk, the form that takes it, the sweep).
    """

    id = UUIDField(primary_key=True, default=uuid.uuid4)
    user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    session = ForeignKeyField(StaffSession, null=True, backref="+", on_delete="SET NULL")
    purpose = CharField(max_length=60)  # the endpoint of the form it is sent for
    filename = BlobField()  # sealed
    size = BigIntegerField()
    received = BigIntegerField(default=0)
    object_id = UUIDField(unique=True)
    storage_key = CharField(max_length=80, unique=True)
    backend = CharField(max_length=20)
    handle = CharField(max_length=200)  # the backend's handle of the write in parts
    tags = TextField(default="")  # the parts' tags so far, space-separated
    nonce_prefix = BlobField()
    kek_id = CharField(max_length=20, index=True)
    wrapped_key = BlobField()
    sha256 = CharField(max_length=64, null=True)  # known when one process saw every chunk
    busy_until = DateTimeField(null=True)
    busy_token = CharField(max_length=32, null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow, index=True)
