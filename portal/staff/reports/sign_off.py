"""The report's remarks and its sign-off by the operator.

Decision: a sign-off freezes the report. It keeps the figures counted at that moment and the
remarks as written, with the signer's name and the time, and the report shows that version from
then on, whatever changes later (a late correction of a no-show, a staffing figure entered
afterwards, remarks edited). When the current figures or remarks differ from the signed ones the
report says so, and the change reaches the city only through a new sign-off, which is kept beside
the earlier ones (none is ever changed or removed). Both are audited by month.

Remarks are free text that may name someone, so they are sealed like every other note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from portal.core.database import write_transaction
from portal.core.models import ReportDraft, ReportSignOff, User
from portal.core.models.base import utcnow
from portal.staff import audit
from portal.staff.names import person_name
from portal.staff.reports.content import Figures, count
from portal.staff.security.secrets_at_rest import secret_box

REMARKS_MAX = 4000


def _context(kind: str, month: date, row_id: int | None = None) -> str:
    return f"monthly-report:{kind}:{month.isoformat()}:{row_id or ''}"


def object_id(month: date) -> str:
    """How audit events name a month's report."""
    return month.strftime("%Y-%m")


def draft_remarks(month: date) -> str:
    """The remarks as last saved (nothing yet: empty)."""
    draft = ReportDraft.get_or_none(ReportDraft.month == month)
    return secret_box().open(draft.remarks, _context("draft", month)) if draft else ""


def save_remarks(month: date, remarks: str, user: User) -> None:
    """Keep the remarks being written; a signed report is not changed by it."""
    sealed = secret_box().seal(remarks, _context("draft", month))
    with write_transaction():
        changed = (
            ReportDraft.update(remarks=sealed, changed_by=user.id, changed_at=utcnow())
            .where(ReportDraft.month == month)
            .execute()
        )
        if not changed:
            ReportDraft.create(month=month, remarks=sealed, changed_by=user.id)
    audit.record("report.remarks", object_type="monthly-report", object_id=object_id(month))


@dataclass(frozen=True)
class Signed:
    """A month's report as it was signed off."""

    number: int  # 1 for the first sign-off of the month, 2 for the next
    figures: Figures
    remarks: str
    signer: str
    at: datetime  # UTC


def _opened(row: ReportSignOff, number: int) -> Signed:
    remarks = secret_box().open(row.remarks, _context("signed", row.month, row.id))
    return Signed(number, Figures.from_json(row.figures), remarks, row.signer_name, row.signed_at)


def sign_offs(month: date) -> list[Signed]:
    """Every sign-off of the month, oldest first."""
    rows = ReportSignOff.select().where(ReportSignOff.month == month).order_by(ReportSignOff.id)
    return [_opened(row, number) for number, row in enumerate(rows, start=1)]


def sign(month: date, user: User) -> Signed:
    """Freeze the month's figures as counted now with the remarks as saved, signed by `user`."""
    figures, remarks = count(month), draft_remarks(month)
    with write_transaction():
        row = ReportSignOff.create(
            month=month,
            figures=figures.to_json(),
            remarks=b"",
            signed_by=user.id,
            signer_name=person_name(user)[:100],
        )
        row.remarks = secret_box().seal(remarks, _context("signed", month, row.id))
        row.save()
        number = ReportSignOff.select().where(ReportSignOff.month == month).count()
    audit.record("report.sign-off", object_type="monthly-report", object_id=object_id(month))
    return Signed(number, figures, remarks, row.signer_name, row.signed_at)
