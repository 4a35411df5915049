"""Incident response: an exposure, the businesses it affected, the contact with each, its timeline.

Everything a person types here (how it was found, the cause, contact notes, timeline entries) is
sealed with the field key, bound to its row; ids, kinds, times and flags are in clear so the
status report can be counted. Rows are only ever added: a contact entry or a timeline entry is
never changed or removed, so who did what when stays as it was recorded.
"""

from __future__ import annotations

from peewee import BlobField, CharField, DateTimeField, ForeignKeyField, IntegerField

from portal.core.models.accounts import Organisation, User
from portal.core.models.base import BaseModel, CrossStoreKey, utcnow
from portal.core.models.reservations import Booking


class Incident(BaseModel):
    """One exposure: when and how it was found, the window it lasted, its cause (sealed)."""

    discovered_at = DateTimeField()
    discovered_how = CharField(max_length=20)
    discovery_note = BlobField()
    window_start = DateTimeField()
    window_end = DateTimeField()
    cause = BlobField()
    registered_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    registered_at = DateTimeField(default=utcnow)


class IncidentExposure(BaseModel):
    """One exposed object (a record, a document, a folder) or everything a scope could read."""

    incident = ForeignKeyField(Incident, backref="exposures", on_delete="RESTRICT")
    kind = CharField(max_length=10)  # record | document | folder | scope
    object_id = IntegerField(null=True)
    organisation = ForeignKeyField(Organisation, null=True, backref="+", on_delete="RESTRICT")
    role = CharField(max_length=20, null=True)


class AffectedBusiness(BaseModel):
    """A business the exposure reached, known by `business_key`; `booking` is its latest exposed booking."""

    incident = ForeignKeyField(Incident, backref="businesses", on_delete="RESTRICT")
    business_key = CharField(max_length=80)
    booking = CrossStoreKey(Booking, backref="+")
    bookings = IntegerField(default=1)  # how many of its bookings were exposed

    class Meta:
        indexes = ((("incident", "business_key"), True),)


class ContactEntry(BaseModel):
    """One thing done for an affected business (a call, a letter, a visit decided, made or refused)."""

    business = ForeignKeyField(AffectedBusiness, backref="entries", on_delete="RESTRICT")
    kind = CharField(max_length=20)
    reason = CharField(max_length=20, null=True)  # why a visit is needed
    note = BlobField()
    done_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    done_at = DateTimeField(default=utcnow)


class TimelineEntry(BaseModel):
    """An event of the incident entered by hand (the audit log supplies the rest)."""

    incident = ForeignKeyField(Incident, backref="timeline", on_delete="RESTRICT")
    at = DateTimeField()
    text = BlobField()
    entered_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    entered_at = DateTimeField(default=utcnow)


INCIDENT_MODELS = [Incident, IncidentExposure, AffectedBusiness, ContactEntry, TimelineEntry]
