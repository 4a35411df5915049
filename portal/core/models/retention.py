"""Deletion certificates: what retention destroyed, kept after the object is gone."""

from __future__ import annotations

from peewee import CharField, DateTimeField

from portal.core.models.base import BaseModel, utcnow


class DeletionCertificate(BaseModel):
    """Proof that an object was destroyed: what kind, which internal id, when, why, by which rule.

    Never personal data: no title, name or filename, only ids and rule names.
    """

    kind = CharField(max_length=40)
    object_id = CharField(max_length=64)
    reason = CharField(max_length=20)
    rule = CharField(max_length=80)
    part_of = CharField(max_length=80, null=True)
    run = CharField(max_length=32, index=True)
    destroyed_at = DateTimeField(default=utcnow, index=True)
