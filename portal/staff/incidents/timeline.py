"""The incident's timeline, and the report the city files from it (A4 print and workbook).

The timeline merges what the system knows with what the city enters by hand: the window and the
discovery as registered; from the audit log, every access to an exposed object by nobody signed in
and the first and last by staff; the contact work, a line per day and kind; and the hand-entered
events (sealed notes). The workbook adds the list of affected businesses with their names, so it
names people: its view needs the city's consent to exports and carries the export stamp.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _

from portal.core.database import write_transaction
from portal.core.dates import TOKYO, tokyo_text
from portal.core.models import (
    AffectedBusiness,
    AuditEvent,
    Booking,
    ContactEntry,
    Incident,
    TimelineEntry,
    User,
)
from portal.staff import audit
from portal.staff.exports import current_stamp, workbook_bytes
from portal.staff.incidents import contacts, registry
from portal.staff.incidents.access_history import anonymous
from portal.staff.incidents.sealed_notes import seal, unseal
from portal.staff.names import person_name

TEXT_KIND = "timeline"


@dataclass(frozen=True)
class Event:
    """One line of the timeline (`at` stored, naive UTC)."""

    at: datetime
    what: str
    source: str  # "system" (registered, audit log, contact entries) or "entered"
    by: str = ""


def add_entry(incident: Incident, at: datetime, text: str, user: User) -> TimelineEntry:
    """Keep an event entered by hand, its text sealed; audited by the entry's id."""
    with write_transaction():
        entry = TimelineEntry.create(incident=incident.id, at=at, text=b"", entered_by=user.id)
        entry.text = seal(text, TEXT_KIND, entry.id)
        entry.save()
    audit.record("incident.timeline-entry", object_type="incident-timeline", object_id=entry.id)
    return entry


def _access_events(accesses: list[AuditEvent]) -> list[Event]:
    events = [
        Event(
            event.at,
            _(
                "ログインしていない者のアクセス（%(action)s、%(outcome)s）",
                action=event.action,
                outcome=event.outcome,
            ),
            "system",
        )
        for event in anonymous(accesses)
    ]
    staff = [event for event in accesses if event.actor_id is not None]
    if staff:
        events.append(Event(staff[0].at, _("期間中の職員による最初のアクセス"), "system"))
        events.append(
            Event(
                staff[-1].at,
                _("期間中の職員による最後のアクセス（計%(count)d件）", count=len(staff)),
                "system",
            )
        )
    return events


def _contact_events(incident: Incident) -> list[Event]:
    """The contact work as a line per Tokyo day and kind, at the day's last entry of that kind."""
    groups: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    entries = (
        ContactEntry.select(ContactEntry.kind, ContactEntry.done_at, ContactEntry.business)
        .join(AffectedBusiness)
        .where(AffectedBusiness.incident == incident.id)
    )
    businesses: dict[tuple[str, str], set[int]] = defaultdict(set)
    for entry in entries:
        day = entry.done_at.replace(tzinfo=UTC).astimezone(TOKYO).date().isoformat()
        groups[(day, entry.kind)].append(entry.done_at)
        businesses[(day, entry.kind)].add(entry.business_id)
    return [
        Event(
            max(times),
            _("%(kind)s：%(count)d者", kind=contacts.KINDS[kind], count=len(businesses[(day, kind)])),
            "system",
        )
        for (day, kind), times in groups.items()
    ]


def _entered(incident: Incident) -> list[Event]:
    rows = TimelineEntry.select(TimelineEntry, User).join(User, on=TimelineEntry.entered_by == User.id)
    return [
        Event(row.at, unseal(row.text, TEXT_KIND, row.id), "entered", person_name(row.entered_by))
        for row in rows.where(TimelineEntry.incident == incident.id)
    ]


def events(incident: Incident, accesses: list[AuditEvent]) -> list[Event]:
    """The whole timeline, oldest first."""
    registered = [
        Event(incident.window_start, _("露出の始まり"), "system"),
        Event(incident.window_end, _("露出の終わり"), "system"),
        Event(
            incident.discovered_at,
            _(
                "発見（%(how)s）",
                how=registry.DISCOVERY.get(incident.discovered_how, incident.discovered_how),
            ),
            "system",
        ),
        Event(incident.registered_at, _("事故として登録"), "system", person_name(incident.registered_by)),
    ]
    found = registered + _access_events(accesses) + _contact_events(incident) + _entered(incident)
    return sorted(found, key=lambda event: event.at)


def _business_rows(
    incident: Incident, states: dict[int, contacts.BusinessState], names: dict[int, str]
) -> list[list]:
    rows = AffectedBusiness.select(AffectedBusiness, Booking).join(
        Booking, on=AffectedBusiness.booking == Booking.id
    )
    table = []
    for business in rows.where(AffectedBusiness.incident == incident.id).order_by(AffectedBusiness.id):
        state = states[business.id]
        outcome = contacts.KINDS[state.visit_outcome] if state.visit_outcome else ""
        table.append(
            [
                business.booking.reference,
                names.get(business.id, ""),
                _("済") if state.phoned else "",
                _("済") if state.letter else "",
                _("要") if state.visit_needed else "",
                str(outcome),
            ]
        )
    return table


def workbook(
    incident: Incident,
    timeline: list[Event],
    report: contacts.StatusReport,
    states: dict[int, contacts.BusinessState],
    names: dict[int, str],
) -> bytes:
    """The report to the city: overview with the status report, the timeline, the businesses."""
    overview = [
        [_("事故番号"), registry.label(incident)],
        [_("発見日時"), tokyo_text(incident.discovered_at)],
        [_("発見の経緯"), str(registry.DISCOVERY.get(incident.discovered_how, ""))],
        [_("露出の期間"), f"{tokyo_text(incident.window_start)} – {tokyo_text(incident.window_end)}"],
        [_("原因"), registry.cause(incident)],
        *([_("対応状況"), line] for line in report.lines()),
    ]
    return workbook_bytes(
        [
            (_("概要"), [_("項目"), _("内容")], overview),
            (
                _("経過"),
                [_("日時"), _("出来事"), _("記録者")],
                [[tokyo_text(event.at), event.what, event.by] for event in timeline],
            ),
            (
                _("対象事業者"),
                [_("予約番号"), _("事業者名"), _("電話"), _("文書"), _("訪問"), _("訪問の結果")],
                _business_rows(incident, states, names),
            ),
        ],
        stamp=current_stamp(),
    )
