"""The append-only, keyed hash chain of audit events: ids only, never personal data."""

from peewee import BigIntegerField, CharField, DateTimeField, IntegerField

from portal.core.models.base import BaseModel


class AuditEvent(BaseModel):
    """One event; `hash` is an HMAC under audit key `key_id` over every field and the previous hash."""

    seq = BigIntegerField(primary_key=True)
    at = DateTimeField(index=True)
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
        # "Who has seen this" looks an object's events up by type and id; the audit log page
        # searches by each column below, newest first, a page at a time from a sequence number.
        indexes = (
            (("object_type", "object_id"), False),
            (("actor_id", "seq"), False),
            (("action", "seq"), False),
            (("outcome", "seq"), False),
            (("client", "seq"), False),
        )


class AuditVerification(BaseModel):
    """What the last runs of `portal audit verify` found, signed under an audit key.

    `mac` is an HMAC under audit key `key_id` over the other fields, so a database writer without
    the key cannot make a failed verification read as a clean one.
    """

    at = DateTimeField()
    events = BigIntegerField()
    newest = BigIntegerField()  # the newest event the run walked to
    problems = IntegerField()
    key_id = CharField(max_length=8)
    mac = CharField(max_length=64)
