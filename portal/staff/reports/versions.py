"""Which version of a month's report a reader sees: the newest sign-off, or the figures as they
are now (before any sign-off, or when asked for), and whether the two differ."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.staff.reports.content import Figures, count
from portal.staff.reports.sign_off import Signed, draft_remarks, sign_offs


@dataclass(frozen=True)
class Report:
    """What a reader of one month's report sees."""

    month: date
    figures: Figures
    remarks: str
    signed: Signed | None  # the sign-off shown, None for the current figures
    latest: Signed | None  # the newest sign-off
    changed: bool  # the current figures or remarks differ from the newest sign-off

    @property
    def arg(self) -> str:
        """The month as the URLs write it."""
        return self.month.strftime("%Y-%m")

    @property
    def query(self) -> dict[str, str]:
        """The query that shows this same version again."""
        return {"month": self.arg, **({} if self.signed else {"version": "current"})}


def report(month: date, current: bool) -> Report:
    """The newest sign-off of `month`, unless there is none or `current` asks for the figures now."""
    figures, remarks = count(month), draft_remarks(month)
    signed = sign_offs(month)
    latest = signed[-1] if signed else None
    changed = latest is not None and (latest.figures.to_json(), latest.remarks) != (
        figures.to_json(),
        remarks,
    )
    if latest and not current:
        return Report(month, latest.figures, latest.remarks, latest, latest, changed)
    return Report(month, figures, remarks, None, latest, changed)
