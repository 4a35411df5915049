"""The append-only, keyed hash chain of audit events: ids only, never personal data."""

from peewee import BigIntegerField, CharField, DateTimeField, IntegerField

from portal.core.models.base import BaseModel


class AuditEvent(BaseModel):
    """One event; `hash` is an HMAC under audit key `key_id` over every field and the previous hash."""

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
    # Null only on events from before keyed chains, until `portal init` adopts them.
    key_id = CharField(max_length=8, null=True)

    class Meta:
        # "Who has seen this" looks an object's events up by type and id.
        indexes = ((("object_type", "object_id"), False),)
