"""The tables migrations made, frozen as they were made.

A migration creates its tables from these copies, never from today's models, so replaying it on
an old store gives the schema that release had, whatever the models have become since; later
migrations take it from there. The stubs stand for tables that existed before and are only
referred to. Nothing else may import this module.
"""

from __future__ import annotations

from datetime import time

from peewee import (
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    TimeField,
    UUIDField,
)


class Frozen(Model):
    """Unbound: a migration binds these to its database for the one statement it runs."""

    class Meta:
        legacy_table_names = False


class Organisation(Frozen):
    """Stub of release 0's table."""


class User(Frozen):
    """Stub of release 0's table."""


class Venue(Frozen):
    """Stub of release 0's table."""


class ConsultationSession(Frozen):
    """Stub of release 0's table."""


class Booking(Frozen):
    """Stub of release 0's table."""


class StoredObject(Frozen):
    """Stub of release 0's table (its key is a UUID)."""

    id = UUIDField(primary_key=True)


class StaffSession(Frozen):
    """Stub of release 0's table."""


# Migration 1: the operating calendar, the call counter, list notices and the availability counter.


class AvailabilityVersion(Frozen):
    version = IntegerField(default=0)


class CallEvent(Frozen):
    day = DateField(index=True)
    kind = CharField(max_length=10)
    taken_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    at = DateTimeField()


class ListNotice(Frozen):
    day = DateField(unique=True)
    sent_at = DateTimeField()


class Season(Frozen):
    name = CharField(max_length=100)
    starts_on = DateField()
    ends_on = DateField()
    intake_weekdays = CharField(max_length=20, default="0,1,2,3,4")
    intake_opens = TimeField(default=time(9, 0))
    intake_closes = TimeField(default=time(17, 0))


class Holiday(Frozen):
    date = DateField(unique=True)
    name = CharField(max_length=100)


class WeeklyPattern(Frozen):
    venue = ForeignKeyField(Venue, backref="+", on_delete="CASCADE")
    weekday = IntegerField()
    starts_at = TimeField()
    ends_at = TimeField()
    capacity = IntegerField()
    consultant = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


MIGRATION_1 = [AvailabilityVersion, CallEvent, ListNotice, Season, Holiday, WeeklyPattern]


# Migration 2: the document library, daily reports and deletion certificates.


class Folder(Frozen):
    name = CharField(max_length=200)
    purpose = CharField(max_length=20)
    owner = ForeignKeyField(Organisation, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField()


class FolderGrant(Frozen):
    folder = ForeignKeyField(Folder, backref="+", on_delete="CASCADE")
    organisation = ForeignKeyField(Organisation, null=True, backref="+", on_delete="CASCADE")
    role = CharField(max_length=20, null=True)
    access = CharField(max_length=5)
    granted_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    granted_at = DateTimeField()
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    revoked_at = DateTimeField(null=True)


class DailyReport(Frozen):
    day = DateField(unique=True)
    calls = IntegerField()
    bookings = IntegerField()
    issues = BlobField()
    version = IntegerField(default=1)
    filed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    filed_at = DateTimeField()
    updated_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    updated_at = DateTimeField()


class Document(Frozen):
    folder = ForeignKeyField(Folder, backref="+", on_delete="RESTRICT")
    title = CharField(max_length=200, index=True)
    daily_report = ForeignKeyField(DailyReport, null=True, backref="+", on_delete="RESTRICT")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField()
    updated_at = DateTimeField()
    deleted_at = DateTimeField(null=True, index=True)
    deleted_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    deletion_reason = BlobField(null=True)


class DocumentVersion(Frozen):
    document = ForeignKeyField(Document, backref="+", on_delete="RESTRICT")
    number = IntegerField()
    stored = ForeignKeyField(StoredObject, backref="+", on_delete="RESTRICT")
    filename = BlobField()
    extension = CharField(max_length=10)
    mimetype = CharField(max_length=100)
    uploaded_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField()

    class Meta:
        indexes = ((("document", "number"), True),)


class DeletionCertificate(Frozen):
    kind = CharField(max_length=40)
    object_id = CharField(max_length=64)
    reason = CharField(max_length=20)
    rule = CharField(max_length=80)
    part_of = CharField(max_length=80, null=True)
    run = CharField(max_length=32, index=True)
    destroyed_at = DateTimeField(index=True)


MIGRATION_2 = [Folder, FolderGrant, DailyReport, Document, DocumentVersion, DeletionCertificate]


# Migration 3: consultation records.


class ConsultationRecord(Frozen):
    booking = ForeignKeyField(Booking, unique=True, backref="+", on_delete="RESTRICT")
    author = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    version = IntegerField(default=1)
    follow_up_due = DateField(null=True, index=True)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    deleted_at = DateTimeField(null=True)
    deleted_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    deletion_reason = BlobField(null=True)


class RecordVersion(Frozen):
    record = ForeignKeyField(ConsultationRecord, backref="+", on_delete="RESTRICT")
    version = IntegerField()
    body = BlobField()
    saved_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    saved_at = DateTimeField()

    class Meta:
        indexes = ((("record", "version"), True),)


class RecordGrant(Frozen):
    record = ForeignKeyField(ConsultationRecord, backref="+", on_delete="RESTRICT")
    grantee = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    granted_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    granted_at = DateTimeField()
    revoked_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    revoked_at = DateTimeField(null=True)


class RecordAttachment(Frozen):
    id = UUIDField(primary_key=True)
    record = ForeignKeyField(ConsultationRecord, backref="+", on_delete="RESTRICT")
    stored = ForeignKeyField(StoredObject, unique=True, backref="+", on_delete="RESTRICT")
    extension = CharField(max_length=10)
    filename = BlobField()
    uploaded_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    uploaded_at = DateTimeField()
    deleted_at = DateTimeField(null=True)
    deleted_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")


MIGRATION_3 = [ConsultationRecord, RecordVersion, RecordGrant, RecordAttachment]


# Migration 5: the blind indexes leave the booking table for a staff table of their own.


class BookingIndex(Frozen):
    booking = ForeignKeyField(Booking, primary_key=True, backref="+", _deferred=True)
    phone_index = CharField(max_length=64, null=True, index=True)
    email_index = CharField(max_length=64, null=True, index=True)
    kana_index = CharField(max_length=64, null=True, index=True)


MIGRATION_5 = [BookingIndex]


# Migration 7: approval of roles that read personal data.


class AccountApproval(Frozen):
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    role = CharField(max_length=20)
    reason = CharField(max_length=20)
    requested_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    requested_at = DateTimeField()
    decision = CharField(max_length=20, null=True)
    decided_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    decided_at = DateTimeField(null=True)


MIGRATION_7 = [AccountApproval]


# Migration 8, in the public store: visitors' sealed requests for their manage link.


class ManageLinkRequest(Frozen):
    sealed = BlobField()
    created_at = DateTimeField()


MIGRATION_8 = [ManageLinkRequest]


# Migration 9: the pause of an account's code entry, and the notices shown on the staff home page.


class AccountNotice(Frozen):
    account = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    kind = CharField(max_length=40)
    created_at = DateTimeField(index=True)
    until = DateTimeField(null=True)


MIGRATION_ACCOUNT_NOTICES = [AccountNotice]


# The staff support ledger (応援): one new table, nothing else touched.


class SupportEntry(Frozen):
    day = DateField(index=True)
    bureau = CharField(max_length=40)
    people = IntegerField()
    day_part = CharField(max_length=4)
    status = CharField(max_length=7)
    note = CharField(max_length=200, default="")


MIGRATION_SUPPORT_LEDGER = [SupportEntry]


# Finding bookings by part of a name or reading.


class BookingNameToken(Frozen):
    booking = ForeignKeyField(Booking, backref="+", _deferred=True)
    token = CharField(max_length=4)

    class Meta:
        primary_key = CompositeKey("token", "booking")


MIGRATION_NAME_TOKENS = [BookingNameToken]


# In the public store: the waiting list for full sessions.


class WaitingRequest(Frozen):
    session = ForeignKeyField(ConsultationSession, backref="+", on_delete="RESTRICT")
    any_in_week = BooleanField(default=False)
    programmes = CharField(max_length=200, default="")
    sealed = BlobField(null=True)
    idempotency_key = CharField(max_length=64, unique=True, null=True)
    status = CharField(max_length=20, index=True)
    created_at = DateTimeField()


class WaitingOffer(Frozen):
    request = ForeignKeyField(WaitingRequest, backref="+", on_delete="RESTRICT")
    booking = ForeignKeyField(Booking, backref="+", on_delete="RESTRICT")
    offer_hash = CharField(max_length=64, unique=True)
    valid_until = DateTimeField()
    answer = CharField(max_length=20, null=True)
    answered_at = DateTimeField(null=True)
    confirmation_sent_at = DateTimeField(null=True)
    created_at = DateTimeField()


MIGRATION_WAITING_LIST = [WaitingRequest, WaitingOffer]


# Staffing plans (phone lines and operators, reception per venue), what was staffed day by day,
# and the monthly report's remarks and sign-offs: new tables only, all in the staff store.


def _people() -> DecimalField:
    return DecimalField(max_digits=5, decimal_places=1, auto_round=True)


class PhonePlan(Frozen):
    month = DateField(unique=True)
    lines = IntegerField()
    operators = _people()
    changed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = DateTimeField()


class ReceptionPlan(Frozen):
    month = DateField()
    venue = ForeignKeyField(Venue, backref="+", _deferred=True)
    staff = _people()
    changed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = DateTimeField()

    class Meta:
        indexes = ((("month", "venue"), True),)


class PhoneDay(Frozen):
    day = DateField(unique=True)
    lines = IntegerField()
    operators = _people()
    changed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = DateTimeField()


class ReceptionDay(Frozen):
    day = DateField()
    venue = ForeignKeyField(Venue, backref="+", _deferred=True)
    staff = _people()
    changed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = DateTimeField()

    class Meta:
        indexes = ((("day", "venue"), True),)


class ReportDraft(Frozen):
    month = DateField(unique=True)
    remarks = BlobField()
    changed_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    changed_at = DateTimeField()


class ReportSignOff(Frozen):
    month = DateField(index=True)
    figures = TextField()
    remarks = BlobField()
    signed_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    signer_name = CharField(max_length=100)
    signed_at = DateTimeField()


MIGRATION_STAFFING_AND_REPORTS = [
    PhonePlan,
    ReceptionPlan,
    PhoneDay,
    ReceptionDay,
    ReportDraft,
    ReportSignOff,
]
# What the last runs of `portal audit verify` found, for the audit log page.


class AuditVerification(Frozen):
    at = DateTimeField()
    events = BigIntegerField()
    newest = BigIntegerField()
    problems = IntegerField()
    key_id = CharField(max_length=8)
    mac = CharField(max_length=64)


MIGRATION_AUDIT_LOG = [AuditVerification]
# The confidentiality pledge: its versions and the accounts that accepted them.


class PledgeVersion(Frozen):
    version = IntegerField(unique=True)
    text = TextField()
    published_at = DateTimeField()
    published_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")


class PledgeAcceptance(Frozen):
    user = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    version = ForeignKeyField(PledgeVersion, backref="+", on_delete="RESTRICT")
    accepted_at = DateTimeField()

    class Meta:
        indexes = ((("user", "version"), True),)


MIGRATION_PLEDGES = [PledgeVersion, PledgeAcceptance]


# The city's consent to exports of personal data, per organisation.


class ExportConsent(Frozen):
    organisation = ForeignKeyField(Organisation, backref="+", on_delete="RESTRICT")
    allowed = BooleanField()
    starts_on = DateField(null=True)
    ends_on = DateField(null=True)
    reason = CharField(max_length=200)
    decided_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    decided_at = DateTimeField()


MIGRATION_EXPORT_CONSENT = [ExportConsent]


# What the portal's own checks found, one row per run.


class CheckRun(Frozen):
    check = CharField(max_length=20)
    started_at = DateTimeField()
    finished_at = DateTimeField()
    serious = IntegerField()
    findings = TextField()

    class Meta:
        indexes = ((("check", "id"), False),)


MIGRATION_SELF_CHECKS = [CheckRun]


# Incident response: an exposure, the businesses it affected, the contact with each, its timeline.


class Incident(Frozen):
    discovered_at = DateTimeField()
    discovered_how = CharField(max_length=20)
    discovery_note = BlobField()
    window_start = DateTimeField()
    window_end = DateTimeField()
    cause = BlobField()
    registered_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    registered_at = DateTimeField()


class IncidentExposure(Frozen):
    incident = ForeignKeyField(Incident, backref="+", on_delete="RESTRICT")
    kind = CharField(max_length=10)
    object_id = IntegerField(null=True)
    organisation = ForeignKeyField(Organisation, null=True, backref="+", on_delete="RESTRICT")
    role = CharField(max_length=20, null=True)


class AffectedBusiness(Frozen):
    incident = ForeignKeyField(Incident, backref="+", on_delete="RESTRICT")
    business_key = CharField(max_length=80)
    booking = ForeignKeyField(Booking, backref="+", _deferred=True)
    bookings = IntegerField(default=1)

    class Meta:
        indexes = ((("incident", "business_key"), True),)


class ContactEntry(Frozen):
    business = ForeignKeyField(AffectedBusiness, backref="+", on_delete="RESTRICT")
    kind = CharField(max_length=20)
    reason = CharField(max_length=20, null=True)
    note = BlobField()
    done_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    done_at = DateTimeField()


class TimelineEntry(Frozen):
    incident = ForeignKeyField(Incident, backref="+", on_delete="RESTRICT")
    at = DateTimeField()
    text = BlobField()
    entered_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    entered_at = DateTimeField()


MIGRATION_INCIDENTS = [Incident, IncidentExposure, AffectedBusiness, ContactEntry, TimelineEntry]
# The security check sheet's sign-offs and countersignatures.


class CheckSheetSignOff(Frozen):
    stage = CharField(max_length=20, index=True)
    countersigns = ForeignKeyField("self", null=True, backref="+", on_delete="RESTRICT")
    signed_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    signer_name = CharField(max_length=100)
    organisation_name = CharField(max_length=200)
    signed_on = DateField()
    signed_at = DateTimeField()
    evidence = TextField()


MIGRATION_CHECK_SHEET = [CheckSheetSignOff]
# Files arriving in chunks, until a form takes them.


class ChunkedUpload(Frozen):
    id = UUIDField(primary_key=True)
    user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    session = ForeignKeyField(StaffSession, null=True, backref="+", on_delete="SET NULL")
    purpose = CharField(max_length=60)
    filename = BlobField()
    size = BigIntegerField()
    received = BigIntegerField(default=0)
    object_id = UUIDField(unique=True)
    storage_key = CharField(max_length=80, unique=True)
    backend = CharField(max_length=20)
    handle = CharField(max_length=200)
    tags = TextField(default="")
    nonce_prefix = BlobField()
    kek_id = CharField(max_length=20, index=True)
    wrapped_key = BlobField()
    sha256 = CharField(max_length=64, null=True)
    busy_until = DateTimeField(null=True)
    busy_token = CharField(max_length=32, null=True)
    created_at = DateTimeField()
    updated_at = DateTimeField(index=True)


MIGRATION_CHUNKED_UPLOADS = [ChunkedUpload]
