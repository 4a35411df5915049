"""The portal's tables, grouped by feature; ALL_MODELS is the schema in creation order."""

from portal.models.accounts import Organisation, RecoveryCode, StaffSession, Throttle, User
from portal.models.audit import AuditEvent
from portal.models.base import SchemaVersion
from portal.models.calendar import Holiday, Season, WeeklyPattern
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
from portal.models.storage import KeyCheck, StoredObject

ALL_MODELS = [
    SchemaVersion,
    Organisation,
    User,
    RecoveryCode,
    StaffSession,
    Throttle,
    AuditEvent,
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
    *RECORD_MODELS,
]

# Tables added after the first release, which migration 1 creates on an existing database.
ADDED_IN_1 = [AvailabilityVersion, CallEvent, ListNotice, Season, Holiday, WeeklyPattern]

__all__ = [
    "ADDED_IN_1",
    "ALL_MODELS",
    "RECORD_MODELS",
    "AuditEvent",
    "AvailabilityVersion",
    "Booking",
    "CallEvent",
    "ConsultationRecord",
    "ConsultationSession",
    "Holiday",
    "KeyCheck",
    "ListNotice",
    "Organisation",
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
