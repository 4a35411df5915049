"""Who may do what with a record, decided per record on top of the role table.

The author and the city read a record's content; a consultant the city granted reads it too while
the grant lasts and the record is not deleted. The operator and admins never reach these checks
(the gate refuses them first). Every refusal is audited and answered like an unknown URL.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint

from portal.core.models import Booking, ConsultationRecord, ConsultationSession, RecordGrant, User, Venue
from portal.staff.refusals import permitted

bp = Blueprint("records", __name__, url_prefix="/records")

Rule = Callable[[User, ConsultationRecord], bool]


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


def is_author(user: User, record: ConsultationRecord) -> bool:
    """The user wrote the record."""
    return record.author_id == user.id


def is_city(user: User, _record: ConsultationRecord | None = None) -> bool:
    """The user is the city's."""
    return user.role == "city"


def readable(user: User, record: ConsultationRecord) -> bool:
    """Content: the author, the city, and a granted consultant while the record is not deleted."""
    if is_author(user, record) or is_city(user):
        return True
    return user.role == "consultant" and record.deleted_at is None and granted(record, user.id)


def overseeable(user: User, record: ConsultationRecord) -> bool:
    """Who has seen it: the author and the city, not a grantee."""
    return is_author(user, record) or is_city(user)


def writable(user: User, record: ConsultationRecord) -> bool:
    """Edits, attachments: the author, while the record is not deleted."""
    return is_author(user, record) and record.deleted_at is None


def deletable(user: User, record: ConsultationRecord) -> bool:
    """Deletion: the author or the city, once."""
    return overseeable(user, record) and record.deleted_at is None


def grantable(user: User, record: ConsultationRecord) -> bool:
    """Grants: the city, while the record is not deleted."""
    return is_city(user) and record.deleted_at is None


def record_or_404(user: User, record_id: int, rule: Rule) -> ConsultationRecord:
    """The record if `rule` lets `user` at it; otherwise the audited 404."""
    found = records_with_booking().where(ConsultationRecord.id == record_id).first()
    return permitted(user, found, rule, "record", record_id)
