"""Registering an incident: its facts sealed where typed by a person, its exposures, its businesses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.core.database import write_transaction
from portal.core.models import Booking, Incident, IncidentExposure, User
from portal.staff import audit
from portal.staff.incidents import affected
from portal.staff.incidents.sealed_notes import seal, unseal

DISCOVERY = {
    "search-engine": _l("検索エンジンでの発見"),
    "outside-report": _l("外部からの通報"),
    "audit-review": _l("監査ログの確認"),
    "staff": _l("職員の気づき"),
    "other": _l("その他"),
}


@dataclass(frozen=True)
class Facts:
    """What the city knows when it registers an incident (times as stored, naive UTC)."""

    discovered_at: datetime
    discovered_how: str
    discovery_note: str
    window_start: datetime
    window_end: datetime
    cause: str
    records: frozenset[int] = frozenset()
    documents: frozenset[int] = frozenset()
    folders: frozenset[int] = frozenset()
    scope_organisation: int | None = None
    scope_role: str | None = None


def _exposures(incident_id: int, facts: Facts) -> list[dict]:
    rows = [
        {"incident": incident_id, "kind": kind, "object_id": object_id}
        for kind, ids in (("record", facts.records), ("document", facts.documents), ("folder", facts.folders))
        for object_id in sorted(ids)
    ]
    if facts.scope_organisation or facts.scope_role:
        rows.append(
            {
                "incident": incident_id,
                "kind": "scope",
                "organisation": facts.scope_organisation,
                "role": facts.scope_role,
            }
        )
    return rows


def register(facts: Facts, user: User) -> Incident:
    """Keep the incident and its exposures, then list the businesses they affected."""
    with write_transaction():
        incident = Incident.create(
            discovered_at=facts.discovered_at,
            discovered_how=facts.discovered_how,
            discovery_note=b"",
            window_start=facts.window_start,
            window_end=facts.window_end,
            cause=b"",
            registered_by=user.id,
        )
        incident.discovery_note = seal(facts.discovery_note, "discovery", incident.id)
        incident.cause = seal(facts.cause, "cause", incident.id)
        incident.save()
        rows = _exposures(incident.id, facts)
        for start in range(0, len(rows), 100):
            IncidentExposure.insert_many(rows[start : start + 100]).execute()
    found = affected.exposed(incident)
    affected.store(incident, affected.exposed_bookings(found.records))
    audit.record("incident.register", object_type="incident", object_id=incident.id)
    return incident


def add_by_reference(incident: Incident, booking: Booking) -> bool:
    """Add the business of a booking found named in an exposed document; False if it was listed."""
    added = affected.store(incident, {booking.id})
    audit.record(
        "incident.business-add",
        outcome="ok" if added else "listed",
        object_type="incident",
        object_id=incident.id,
    )
    return bool(added)


def discovery_note(incident: Incident) -> str:
    """How it was found, as typed."""
    return unseal(incident.discovery_note, "discovery", incident.id)


def cause(incident: Incident) -> str:
    """Its cause, as typed."""
    return unseal(incident.cause, "cause", incident.id)


def label(incident: Incident) -> str:
    """How pages and files name an incident."""
    return f"INC-{incident.id:04d}"
