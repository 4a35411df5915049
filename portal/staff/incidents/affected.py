"""From an incident's exposed objects to the businesses they affected.

What an exposure reaches:
- a consultation record: its booking (and with it the record's attachments, which belong to it);
- a library folder: its documents; a document: itself;
- "everything readable by organisation X / role R during the window": what the accounts matching
  X and R could read then: every record made before the window ended if one of them is the city's
  (the city and authors read deleted records until they are purged); else the records they wrote
  and those alive in the window granted to them by a grant in force during it; and the
  folders their organisation owns or that a grant in force during the window gave to their
  organisation or role.

Decision: one business is the bookings that share a phone number. Callers are recognised by their
phone number at intake (the repeat-caller blind index), so the blind index tells the bookings of one
business apart from another's without opening any of them; a booking without a phone number is a
business of its own. Each business is contacted about its latest exposed booking, whose details are
the newest it gave.

Library documents and daily reports name no booking in any column (their files and the reports'
issues are opaque text), so they add no business by themselves: the incident page counts them
and the city adds the businesses found named in them by booking reference.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from peewee import JOIN

from portal.core.database import write_transaction
from portal.core.models import (
    AffectedBusiness,
    Booking,
    BookingIndex,
    ConsultationRecord,
    Document,
    Folder,
    FolderGrant,
    Incident,
    IncidentExposure,
    RecordGrant,
    User,
)


@dataclass(frozen=True)
class Exposed:
    """The objects an incident exposed, by id."""

    records: frozenset[int]
    folders: frozenset[int]
    documents: frozenset[int]


def _alive_in_window(incident: Incident):
    """Records that existed at some time in the window."""
    return (ConsultationRecord.created_at < incident.window_end) & (
        ConsultationRecord.deleted_at.is_null() | (ConsultationRecord.deleted_at > incident.window_start)
    )


def _in_force(model, incident: Incident):
    """Grants given before the window ended and not revoked before it began."""
    return (model.granted_at < incident.window_end) & (
        model.revoked_at.is_null() | (model.revoked_at > incident.window_start)
    )


def _scope_accounts(exposure: IncidentExposure) -> list[User]:
    conditions = []
    if exposure.organisation_id is not None:
        conditions.append(User.organisation == exposure.organisation_id)
    if exposure.role:
        conditions.append(User.role == exposure.role)
    return list(User.select().where(*conditions)) if conditions else []


def _scope_records(incident: Incident, accounts: list[User]) -> set[int]:
    """The city and a record's author read it, deleted or not, until it is purged (records/access.py);
    a grantee reads it while the grant is in force and the record not deleted."""
    existed = ConsultationRecord.select(ConsultationRecord.id).where(
        ConsultationRecord.created_at < incident.window_end
    )
    if any(account.role == "city" for account in accounts):
        return {row.id for row in existed}
    ids = [account.id for account in accounts if account.role == "consultant"]
    if not ids:
        return set()
    granted = RecordGrant.select(RecordGrant.record).where(
        RecordGrant.grantee.in_(ids), _in_force(RecordGrant, incident)
    )
    found = existed.where(
        ConsultationRecord.author.in_(ids) | (ConsultationRecord.id.in_(granted) & _alive_in_window(incident))
    )
    return {row.id for row in found}


def _scope_folders(incident: Incident, accounts: list[User]) -> set[int]:
    organisations = {account.organisation_id for account in accounts}
    roles = {account.role for account in accounts}
    if not accounts:
        return set()
    granted = FolderGrant.select(FolderGrant.folder).where(
        _in_force(FolderGrant, incident),
        FolderGrant.organisation.in_(organisations) | FolderGrant.role.in_(roles),
    )
    found = Folder.select(Folder.id).where(
        Folder.created_at < incident.window_end,
        Folder.owner.in_(organisations) | Folder.id.in_(granted),
    )
    return {row.id for row in found}


def exposed(incident: Incident) -> Exposed:
    """Every record, folder and document the incident's exposures reach."""
    records: set[int] = set()
    folders: set[int] = set()
    documents: set[int] = set()
    for exposure in incident.exposures:
        if exposure.kind == "record":
            records.add(exposure.object_id)
        elif exposure.kind == "folder":
            folders.add(exposure.object_id)
        elif exposure.kind == "document":
            documents.add(exposure.object_id)
        else:
            accounts = _scope_accounts(exposure)
            records |= _scope_records(incident, accounts)
            folders |= _scope_folders(incident, accounts)
    if folders:
        in_folders = Document.select(Document.id).where(
            Document.folder.in_(folders),
            Document.created_at < incident.window_end,
            Document.deleted_at.is_null() | (Document.deleted_at > incident.window_start),
        )
        documents |= {row.id for row in in_folders}
    return Exposed(frozenset(records), frozenset(folders), frozenset(documents))


def business_key(booking_id: int, phone_index: str | None) -> str:
    """What makes bookings one business: the phone number's blind index, else the booking alone."""
    return f"phone:{phone_index}" if phone_index else f"booking:{booking_id}"


def businesses_of(booking_ids: set[int]) -> dict[str, list[int]]:
    """The bookings grouped by business, each group's bookings in order."""
    rows = (
        Booking.select(Booking.id, BookingIndex.phone_index)
        .join(BookingIndex, JOIN.LEFT_OUTER, on=BookingIndex.booking == Booking.id)
        .where(Booking.id.in_(list(booking_ids)))
        .order_by(Booking.id)
        .tuples()
    )
    grouped: dict[str, list[int]] = defaultdict(list)
    for booking_id, phone_index in rows:
        grouped[business_key(booking_id, phone_index)].append(booking_id)
    return dict(grouped)


def exposed_bookings(records: frozenset[int]) -> set[int]:
    """The bookings behind the exposed records."""
    if not records:
        return set()
    rows = ConsultationRecord.select(ConsultationRecord.booking).where(
        ConsultationRecord.id.in_(list(records))
    )
    return {row.booking_id for row in rows}


def store(incident: Incident, booking_ids: set[int]) -> int:
    """Add the businesses of these bookings to the incident (those listed already stay as they
    are, with their entries); returns how many were new."""
    grouped = businesses_of(booking_ids)
    known = {
        row.business_key for row in AffectedBusiness.select().where(AffectedBusiness.incident == incident.id)
    }
    new = [
        {"incident": incident.id, "business_key": key, "booking": bookings[-1], "bookings": len(bookings)}
        for key, bookings in grouped.items()
        if key not in known
    ]
    with write_transaction():
        for start in range(0, len(new), 100):
            # A second submission of the same addition finds the rows there already: it adds nothing.
            AffectedBusiness.insert_many(new[start : start + 100]).on_conflict_ignore().execute()
    return len(new)
