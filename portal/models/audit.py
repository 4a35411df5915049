"""The append-only, hash-chained audit log: ids only, never personal data."""

from peewee import BigIntegerField, CharField, DateTimeField, IntegerField

from portal.models.base import BaseModel


class AuditEvent(BaseModel):
    """One event; `hash` covers every field and the previous event's hash."""

    seq = BigIntegerField(primary_key=True)
    at = DateTimeField()
    actor_id = IntegerField(null=True)
    action = CharField(max_length=60)
    object_type = CharField(max_length=40, null=True)
    object_id = CharField(max_length=64, null=True)
    client = CharField(max_length=45, null=True)
    outcome = CharField(max_length=20)
    prev_hash = CharField(max_length=64)
    hash = CharField(max_length=64, unique=True)

    class Meta:
        # "Who has seen this" looks an object's events up by type and id.
        indexes = ((("object_type", "object_id"), False),)
