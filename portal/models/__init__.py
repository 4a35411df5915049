"""The portal's tables, grouped by feature; ALL_MODELS is the schema in creation order."""

from portal.models.accounts import Organisation, RecoveryCode, StaffSession, Throttle, User
from portal.models.audit import AuditEvent
from portal.models.base import SchemaVersion
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
]

__all__ = [
    "ALL_MODELS",
    "AuditEvent",
    "KeyCheck",
    "Organisation",
    "RecoveryCode",
    "SchemaVersion",
    "StaffSession",
    "StoredObject",
    "Throttle",
    "User",
]
