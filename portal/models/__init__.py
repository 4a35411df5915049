"""The portal's tables, grouped by feature; ALL_MODELS is the schema in creation order."""

from portal.models.accounts import Organisation, RecoveryCode, StaffSession, Throttle, User
from portal.models.audit import AuditEvent
from portal.models.base import SchemaVersion

ALL_MODELS = [SchemaVersion, Organisation, User, RecoveryCode, StaffSession, Throttle, AuditEvent]

__all__ = [
    "ALL_MODELS",
    "AuditEvent",
    "Organisation",
    "RecoveryCode",
    "SchemaVersion",
    "StaffSession",
    "Throttle",
    "User",
]
