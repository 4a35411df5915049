"""Who may do what with a record, decided per record on top of the role table.

The author and the city read a record's content; a consultant the city granted reads it too while
the grant lasts and the record is not deleted. The operator and admins never reach these checks
(the gate refuses them first). Every refusal is audited and answered like an unknown URL.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint
from flask_login import current_user

from portal import audit
from portal.models import Booking, ConsultationRecord, ConsultationSession, RecordGrant, User, Venue
from portal.web import not_found

bp = Blueprint("records", __name__, url_prefix="/records")

Rule = Callable[[ConsultationRecord], bool]


def records_with_booking():
    """Records with the booking, session, venue and author each page shows."""
    return (
        ConsultationRecord.select(ConsultationRecord, Booking, ConsultationSession, Venue, User)
        .join(Booking)
        .join(ConsultationSession)
        .join(Venue)
        .switch(ConsultationRecord)
        .join(User, on=ConsultationRecord.author == User.id)
    )


def granted(record: ConsultationRecord, user_id: int) -> bool:
    """Whether the user holds a grant on the record that has not been revoked."""
    return (
        RecordGrant.select()
        .where(
            RecordGrant.record == record.id,
            RecordGrant.grantee == user_id,
            RecordGrant.revoked_at.is_null(),
        )
        .exists()
    )


def is_author(record: ConsultationRecord) -> bool:
    """The signed-in user wrote the record."""
    return record.author_id == current_user.id


def is_city(_record: ConsultationRecord | None = None) -> bool:
    """The signed-in user is the city's."""
    return current_user.role == "city"


def readable(record: ConsultationRecord) -> bool:
    """Content: the author, the city, and a granted consultant while the record is not deleted."""
    if is_author(record) or is_city():
        return True
    return (
        current_user.role == "consultant" and record.deleted_at is None and granted(record, current_user.id)
    )


def overseeable(record: ConsultationRecord) -> bool:
    """Who has seen it: the author and the city, not a grantee."""
    return is_author(record) or is_city()


def writable(record: ConsultationRecord) -> bool:
    """Edits, attachments: the author, while the record is not deleted."""
    return is_author(record) and record.deleted_at is None


def deletable(record: ConsultationRecord) -> bool:
    """Deletion: the author or the city, once."""
    return overseeable(record) and record.deleted_at is None


def grantable(record: ConsultationRecord) -> bool:
    """Grants: the city, while the record is not deleted."""
    return is_city() and record.deleted_at is None


def refuse(action: str, object_type: str, object_id: object, missing: bool) -> None:
    """Audit a per-object refusal and answer exactly as an unknown URL."""
    audit.record(
        action, outcome="missing" if missing else "refused", object_type=object_type, object_id=object_id
    )
    not_found()


def record_or_404(record_id: int, action: str, rule: Rule) -> ConsultationRecord:
    """The record if the signed-in user may do `action` with it; otherwise an audited 404."""
    record = records_with_booking().where(ConsultationRecord.id == record_id).first()
    if record is None or not rule(record):
        refuse(action, "record", record_id, missing=record is None)
    return record
