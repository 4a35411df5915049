"""The portal's tables, grouped by feature; ALL_MODELS is the schema in creation order."""

from portal.models.accounts import Organisation, RecoveryCode, StaffSession, Throttle, User
from portal.models.audit import AuditEvent
from portal.models.base import SchemaVersion
from portal.models.reservations import Booking, ConsultationSession, Venue
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
]

__all__ = [
    "ALL_MODELS",
    "AuditEvent",
    "Booking",
    "ConsultationSession",
    "KeyCheck",
    "Organisation",
    "RecoveryCode",
    "SchemaVersion",
    "StaffSession",
    "StoredObject",
    "Throttle",
    "User",
    "Venue",
]
