"""The apology work per affected business, and the status report counted from it.

Every entry is kept as recorded, with who made it and when; a business's state is read from its
entries: phoned once any call explained and apologised, a visit needed once one was judged needed,
and the visit's outcome is its latest "visited" or "refused" entry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.core.database import write_transaction
from portal.core.models import AffectedBusiness, ContactEntry, Incident, User
from portal.staff import audit
from portal.staff.incidents.sealed_notes import seal, unseal

PHONE, NO_ANSWER, LETTER = "phone", "no-answer", "letter"
VISIT_NEEDED, VISITED, VISIT_REFUSED = "visit-needed", "visited", "visit-refused"
KINDS = {
    PHONE: _l("電話で説明、謝罪した"),
    NO_ANSWER: _l("電話がつながらなかった"),
    LETTER: _l("文書を送付した"),
    VISIT_NEEDED: _l("訪問説明が必要と判断した"),
    VISITED: _l("訪問して説明、謝罪した"),
    VISIT_REFUSED: _l("訪問の承諾が得られなかった"),
}
REASONS = {
    "compensation": _l("補償の要求があった"),
    "in-person": _l("対面での説明を希望された"),
    "not-reached": _l("電話・文書で連絡がつかない"),
    "other": _l("その他（メモに記入）"),
}
NOTE_KIND = "contact-note"


@dataclass
class BusinessState:
    """Where one business stands, read from its entries."""

    phoned: bool = False
    attempts: int = 0
    letter: bool = False
    visit_needed: bool = False
    visit_reasons: list[str] = field(default_factory=list)
    visit_outcome: str | None = None  # VISITED or VISIT_REFUSED, the latest of either


def record_entry(
    business: AffectedBusiness, kind: str, reason: str | None, note: str, user: User
) -> ContactEntry:
    """Keep one thing done for the business, its note sealed; audited by the entry's id."""
    with write_transaction():
        entry = ContactEntry.create(business=business.id, kind=kind, reason=reason, note=b"", done_by=user.id)
        entry.note = seal(note, NOTE_KIND, entry.id)
        entry.save()
    audit.record("incident.contact", object_type="incident-contact", object_id=entry.id)
    return entry


def note_of(entry: ContactEntry) -> str:
    """The entry's note as typed."""
    return unseal(entry.note, NOTE_KIND, entry.id)


def entries_of(business: AffectedBusiness) -> list[ContactEntry]:
    """The business's entries, oldest first, with who made each."""
    return list(
        ContactEntry.select(ContactEntry, User)
        .join(User, on=ContactEntry.done_by == User.id)
        .where(ContactEntry.business == business.id)
        .order_by(ContactEntry.done_at, ContactEntry.id)
    )


def states(incident: Incident) -> dict[int, BusinessState]:
    """Every affected business's state, by its id, from one pass over the incident's entries."""
    found: dict[int, BusinessState] = defaultdict(BusinessState)
    for business in AffectedBusiness.select(AffectedBusiness.id).where(
        AffectedBusiness.incident == incident.id
    ):
        found[business.id] = BusinessState()
    entries = (
        ContactEntry.select(ContactEntry.business, ContactEntry.kind, ContactEntry.reason)
        .join(AffectedBusiness)
        .where(AffectedBusiness.incident == incident.id)
        .order_by(ContactEntry.done_at, ContactEntry.id)
    )
    for entry in entries:
        state = found[entry.business_id]
        state.attempts += 1
        if entry.kind == PHONE:
            state.phoned = True
        elif entry.kind == LETTER:
            state.letter = True
        elif entry.kind == VISIT_NEEDED:
            state.visit_needed = True
            state.visit_reasons.append(entry.reason)
        elif entry.kind in (VISITED, VISIT_REFUSED):
            state.visit_outcome = entry.kind
    return dict(found)


@dataclass(frozen=True)
class StatusReport:
    """The figures the city reports, each a number of businesses (者)."""

    total: int
    phoned: int
    letters: int
    visit_needed: int
    visited: int
    visit_refused: int
    not_contacted: int

    def lines(self) -> list[str]:
        """The report in the city's words: 全89者中 電話で説明、謝罪を行った方 89者, …"""
        return [
            _("全%(total)d者中 電話で説明、謝罪を行った方 %(count)d者", total=self.total, count=self.phoned),
            _("文書を送付した方 %(count)d者", count=self.letters),
            _(
                "訪問説明が必要と判断した方 %(count)d者（うち訪問済み%(visited)d者、"
                "訪問の承諾が得られなかった方%(refused)d者）",
                count=self.visit_needed,
                visited=self.visited,
                refused=self.visit_refused,
            ),
            _("まだ連絡していない方 %(count)d者", count=self.not_contacted),
        ]


def status_report(found: dict[int, BusinessState]) -> StatusReport:
    """Count the businesses by where they stand."""
    shown = found.values()
    return StatusReport(
        total=len(found),
        phoned=sum(state.phoned for state in shown),
        letters=sum(state.letter for state in shown),
        # A visit made or refused was judged needed, whether or not that judgement was entered first.
        visit_needed=sum(state.visit_needed or state.visit_outcome is not None for state in shown),
        visited=sum(state.visit_outcome == VISITED for state in shown),
        visit_refused=sum(state.visit_outcome == VISIT_REFUSED for state in shown),
        # Calls that found nobody reach nobody: such a business is still to be contacted.
        not_contacted=sum(
            not (state.phoned or state.letter or state.visit_outcome == VISITED) for state in shown
        ),
    )
