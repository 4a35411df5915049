"""The sheet as shown: each item with its evidence and how it reads, and the summary a sign-off keeps."""

from __future__ import annotations

from dataclasses import dataclass

from portal.staff.check_sheet.evidence import PERSON_LABEL, STATUS_LABELS, Evidence, Status, gather, worst
from portal.staff.check_sheet.items import ITEMS, Item

PERSON = "person"  # an item with no evidence of its own: a person judges it


@dataclass(frozen=True)
class Row:
    """An item, its evidence, and its status (the worst of its evidence's, or PERSON)."""

    item: Item
    evidence: list[Evidence]
    status: str


@dataclass(frozen=True)
class Sheet:
    """Every item and every kind of evidence, as they are now."""

    rows: list[Row]
    evidence: dict[str, Evidence]

    def summary(self) -> dict:
        """What a sign-off keeps of what its signer saw: each item's and each evidence's status."""
        return {
            "items": {str(row.item.number): row.status for row in self.rows},
            "evidence": {key: str(found.status) for key, found in self.evidence.items()},
        }


def current_sheet() -> Sheet:
    """The sheet with the evidence gathered now."""
    evidence = gather()
    rows = []
    for item in ITEMS:
        attached = [evidence[key] for key in item.evidence]
        status = str(worst(e.status for e in attached)) if attached else PERSON
        rows.append(Row(item, attached, status))
    return Sheet(rows, evidence)


def status_label(status: str) -> str:
    """An item's or evidence's status as the sheet says it."""
    return str(PERSON_LABEL if status == PERSON else STATUS_LABELS[Status(status)])
