"""A record's content: sealed per version, saved only on top of the version the edit started from.

Each save is a new RecordVersion row. The record row is locked while the next number is taken, and
(record, version) is unique, so of two edits that started from the same version exactly one is
saved; the other is told of the conflict and keeps its text.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date

from peewee import IntegrityError

from portal.core.database import locked, write_transaction
from portal.core.models import Booking, ConsultationRecord, RecordGrant, RecordVersion, User
from portal.core.models.base import utcnow
from portal.staff.security.secrets_at_rest import secret_box


@dataclass
class Body:
    """What the consultant writes; the whole of it is sealed as one value."""

    advice: str
    programmes: list[str] = field(default_factory=list)
    follow_up: str = ""
    follow_up_due: date | None = None
    notes: str = ""

    def to_json(self) -> str:
        values = asdict(self)
        values["follow_up_due"] = self.follow_up_due.isoformat() if self.follow_up_due else None
        return json.dumps(values, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Body:
        values = json.loads(text)
        due = values.get("follow_up_due")
        values["follow_up_due"] = date.fromisoformat(due) if due else None
        return cls(**values)


class AlreadyWritten(Exception):
    """The booking has its record already."""


class Conflict(Exception):
    """Another edit was saved after this one started (or the record was deleted meanwhile)."""


def version_context(record_id: int, version: int) -> str:
    """A body opens only in the row it was written for."""
    return f"record:{record_id}:v{version}"


def deletion_context(record_id: int) -> str:
    """A deletion reason opens only on its record."""
    return f"record:{record_id}:deletion"


def opened_body(version: RecordVersion) -> Body:
    """The content of one version."""
    return Body.from_json(
        secret_box().open(version.body, version_context(version.record_id, version.version))
    )


def version_of(record: ConsultationRecord, number: int | None = None) -> RecordVersion | None:
    """One version of the record (the latest by default)."""
    number = record.version if number is None else number
    return RecordVersion.get_or_none(RecordVersion.record == record.id, RecordVersion.version == number)


def _add_version(record_id: int, number: int, body: Body, user: User) -> None:
    sealed = secret_box().seal(body.to_json(), version_context(record_id, number))
    RecordVersion.create(record=record_id, version=number, body=sealed, saved_by=user.id)


def create(booking: Booking, author: User, body: Body) -> ConsultationRecord:
    """The booking's record, as its first version; AlreadyWritten if it has one."""
    try:
        with write_transaction():
            record = ConsultationRecord.create(
                booking=booking.id, author=author.id, follow_up_due=body.follow_up_due
            )
            _add_version(record.id, 1, body, author)
    except IntegrityError:
        raise AlreadyWritten(booking.id) from None
    return record


def save(record: ConsultationRecord, base_version: int, body: Body, user: User) -> int:
    """Save a new version on top of `base_version`; returns its number, or raises Conflict."""
    try:
        with write_transaction():
            current = locked(ConsultationRecord.select().where(ConsultationRecord.id == record.id)).get()
            if current.deleted_at is not None or current.version != base_version:
                raise Conflict(current.version)
            number = current.version + 1
            _add_version(record.id, number, body, user)
            ConsultationRecord.update(
                version=number, follow_up_due=body.follow_up_due, updated_at=utcnow()
            ).where(ConsultationRecord.id == record.id).execute()
    except IntegrityError:
        raise Conflict(base_version + 1) from None
    return number


def delete(record: ConsultationRecord, reason: str, user: User) -> bool:
    """Soft delete with a sealed reason; False if it was deleted already."""
    sealed = secret_box().seal(reason, deletion_context(record.id))
    with write_transaction():
        return bool(
            ConsultationRecord.update(deleted_at=utcnow(), deleted_by=user.id, deletion_reason=sealed)
            .where(ConsultationRecord.id == record.id, ConsultationRecord.deleted_at.is_null())
            .execute()
        )


def deletion_reason(record: ConsultationRecord) -> str | None:
    """Why the record was deleted, for those who may read it."""
    if record.deletion_reason is None:
        return None
    return secret_box().open(record.deletion_reason, deletion_context(record.id))


def grant(record: ConsultationRecord, grantee_id: int, user: User) -> RecordGrant:
    """Read access for a consultant; the open grant is reused if there is one."""
    with write_transaction():
        existing = RecordGrant.get_or_none(
            RecordGrant.record == record.id,
            RecordGrant.grantee == grantee_id,
            RecordGrant.revoked_at.is_null(),
        )
        return existing or RecordGrant.create(record=record.id, grantee=grantee_id, granted_by=user.id)


def revoke(grant_id: int, record: ConsultationRecord, user: User) -> bool:
    """End a grant on this record; False if there was no open one."""
    with write_transaction():
        return bool(
            RecordGrant.update(revoked_at=utcnow(), revoked_by=user.id)
            .where(
                RecordGrant.id == grant_id, RecordGrant.record == record.id, RecordGrant.revoked_at.is_null()
            )
            .execute()
        )
