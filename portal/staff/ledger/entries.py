"""Writing the ledger: one entry from the form, a whole CSV file at once, or an entry taken out.

Each write is audited after it commits, by entry id, like every other staff write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from portal.core.database import write_transaction
from portal.core.models import SupportEntry
from portal.staff import audit

PEOPLE_MAX = 999
NOTE_MAX = 200


@dataclass(frozen=True)
class NewEntry:
    """An entry's values, checked by the form or the CSV reader before they get here."""

    day: date
    bureau: str
    people: int
    day_part: str
    status: str
    note: str = ""


def add(entry: NewEntry) -> SupportEntry:
    """Store one entry."""
    with write_transaction():
        created = SupportEntry.create(**asdict(entry))
    audit.record("ledger.add", object_type="support-entry", object_id=created.id)
    return created


def add_all(entries: Sequence[NewEntry]) -> list[int]:
    """Store every entry of a file in one transaction: all of them, or none if anything fails."""
    with write_transaction():
        ids = [SupportEntry.create(**asdict(entry)).id for entry in entries]
    for entry_id in ids:
        audit.record("ledger.import", object_type="support-entry", object_id=entry_id)
    return ids


def remove(entry: SupportEntry) -> None:
    """Take an entry out (a mistyped one; a cancellation is an actual figure, not a removal)."""
    with write_transaction():
        SupportEntry.delete().where(SupportEntry.id == entry.id).execute()
    audit.record("ledger.delete", object_type="support-entry", object_id=entry.id)
