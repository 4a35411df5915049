"""The portal's tables, grouped by feature; ALL_MODELS is the schema in creation order."""

from portal.models.accounts import Organisation, RecoveryCode, StaffSession, Throttle, User
from portal.models.audit import AuditEvent, PendingAuditEvent
from portal.models.base import SchemaVersion
from portal.models.calendar import Holiday, Season, WeeklyPattern
from portal.models.library import DailyReport, Document, DocumentVersion, Folder, FolderGrant
from portal.models.records import (
    RECORD_MODELS,
    ConsultationRecord,
    RecordAttachment,
    RecordGrant,
    RecordVersion,
)
from portal.models.reservations import (
    AvailabilityVersion,
    Booking,
    CallEvent,
    ConsultationSession,
    ListNotice,
    Venue,
)
from portal.models.retention import DeletionCertificate
from portal.models.storage import KeyCheck, StoredObject

ALL_MODELS = [
    SchemaVersion,
    Organisation,
    User,
    RecoveryCode,
    StaffSession,
    Throttle,
    AuditEvent,
    PendingAuditEvent,
    KeyCheck,
    StoredObject,
    Venue,
    ConsultationSession,
    Booking,
    AvailabilityVersion,
    CallEvent,
    ListNotice,
    Season,
    Holiday,
    WeeklyPattern,
    Folder,
    FolderGrant,
    DailyReport,
    Document,
    DocumentVersion,
    DeletionCertificate,
    *RECORD_MODELS,
]

# Tables added after the first release, which migration 1 creates on an existing database.
ADDED_IN_1 = [AvailabilityVersion, CallEvent, ListNotice, Season, Holiday, WeeklyPattern]
# The document library, daily reports and retention's certificates, created by their own migration.
LIBRARY_TABLES = [Folder, FolderGrant, DailyReport, Document, DocumentVersion, DeletionCertificate]

__all__ = [
    "ADDED_IN_1",
    "ALL_MODELS",
    "LIBRARY_TABLES",
    "RECORD_MODELS",
    "AuditEvent",
    "AvailabilityVersion",
    "Booking",
    "CallEvent",
    "ConsultationRecord",
    "ConsultationSession",
    "DailyReport",
    "DeletionCertificate",
    "Document",
    "DocumentVersion",
    "Folder",
    "FolderGrant",
    "Holiday",
    "KeyCheck",
    "ListNotice",
    "Organisation",
    "PendingAuditEvent",
    "RecordAttachment",
    "RecordGrant",
    "RecordVersion",
    "RecoveryCode",
    "SchemaVersion",
    "Season",
    "StaffSession",
    "StoredObject",
    "Throttle",
    "User",
    "Venue",
    "WeeklyPattern",
]
