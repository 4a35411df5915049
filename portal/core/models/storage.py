"""Stored objects' metadata and wrapped data keys, and the check values of the keys."""

from __future__ import annotations

import uuid

from peewee import BigIntegerField, BlobField, CharField, DateTimeField, IntegerField, UUIDField

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
    """A value sealed with each key at its creation: opening it proves the key is the right one."""

    name = CharField(max_length=40, unique=True)
    check = BlobField()
    created_at = DateTimeField(default=utcnow)
