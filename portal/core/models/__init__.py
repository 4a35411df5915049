"""The portal's tables, grouped by feature.

PUBLIC_MODELS are the public store (the only tables the public instance reaches); STAFF_MODELS
are the staff store, in creation order.
"""

from portal.core.models.accounts import (
    AccountApproval,
    AccountNotice,
    Organisation,
    RecoveryCode,
    StaffSession,
    Throttle,
    User,
)
from portal.core.models.audit import AuditEvent, AuditVerification
from portal.core.models.base import SchemaVersion
from portal.core.models.calendar import Holiday, Season, WeeklyPattern
from portal.core.models.check_sheet import CheckSheetSignOff
from portal.core.models.consents import ExportConsent
from portal.core.models.incidents import (
    INCIDENT_MODELS,
    AffectedBusiness,
    ContactEntry,
    Incident,
    IncidentExposure,
    TimelineEntry,
)
from portal.core.models.ledger import SupportEntry
from portal.core.models.liaison import BookingIndex, BookingNameToken, CallEvent, ListNotice
from portal.core.models.library import DailyReport, Document, DocumentVersion, Folder, FolderGrant
from portal.core.models.pledges import PledgeAcceptance, PledgeVersion
from portal.core.models.records import (
    RECORD_MODELS,
    ConsultationRecord,
    RecordAttachment,
    RecordGrant,
    RecordVersion,
)
from portal.core.models.reports import REPORT_MODELS, ReportDraft, ReportSignOff
from portal.core.models.reservations import (
    RESERVATION_MODELS,
    AvailabilityVersion,
    Booking,
    ConsultationSession,
    ManageLinkRequest,
    PublicEvent,
    PublicSchemaVersion,
    Venue,
)
from portal.core.models.retention import DeletionCertificate
from portal.core.models.self_checks import CheckRun
from portal.core.models.staffing import (
    STAFFING_MODELS,
    PhoneDay,
    PhonePlan,
    ReceptionDay,
    ReceptionPlan,
)
from portal.core.models.storage import ChunkedUpload, KeyCheck, StoredObject
from portal.core.models.waiting import WAITING_MODELS, WaitingOffer, WaitingRequest

PUBLIC_MODELS = [*RESERVATION_MODELS, *WAITING_MODELS]

STAFF_MODELS = [
    SchemaVersion,
    Organisation,
    User,
    AccountApproval,
    RecoveryCode,
    StaffSession,
    Throttle,
    AccountNotice,
    AuditEvent,
    KeyCheck,
    StoredObject,
    BookingIndex,
    BookingNameToken,
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
    SupportEntry,
    *STAFFING_MODELS,
    *REPORT_MODELS,
    AuditVerification,
    PledgeVersion,
    PledgeAcceptance,
    ExportConsent,
    CheckRun,
    *INCIDENT_MODELS,
    CheckSheetSignOff,
    ChunkedUpload,
]


__all__ = [
    "INCIDENT_MODELS",
    "PUBLIC_MODELS",
    "RECORD_MODELS",
    "STAFF_MODELS",
    "AccountApproval",
    "AccountNotice",
    "AffectedBusiness",
    "AuditEvent",
    "AuditVerification",
    "AvailabilityVersion",
    "Booking",
    "BookingIndex",
    "BookingNameToken",
    "CallEvent",
    "CheckRun",
    "CheckSheetSignOff",
    "ChunkedUpload",
    "ConsultationRecord",
    "ConsultationSession",
    "ContactEntry",
    "DailyReport",
    "DeletionCertificate",
    "Document",
    "DocumentVersion",
    "ExportConsent",
    "Folder",
    "FolderGrant",
    "Holiday",
    "Incident",
    "IncidentExposure",
    "KeyCheck",
    "ListNotice",
    "ManageLinkRequest",
    "Organisation",
    "PhoneDay",
    "PhonePlan",
    "PledgeAcceptance",
    "PledgeVersion",
    "PublicEvent",
    "PublicSchemaVersion",
    "ReceptionDay",
    "ReceptionPlan",
    "RecordAttachment",
    "RecordGrant",
    "RecordVersion",
    "RecoveryCode",
    "ReportDraft",
    "ReportSignOff",
    "SchemaVersion",
    "Season",
    "StaffSession",
    "StoredObject",
    "SupportEntry",
    "Throttle",
    "TimelineEntry",
    "User",
    "Venue",
    "WaitingOffer",
    "WaitingRequest",
    "WeeklyPattern",
]
