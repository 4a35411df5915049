"""The summary as labelled rows and lines: the same on the page and in the workbook."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from portal.core.models import SupportEntry
from portal.staff.exports import current_stamp, workbook_bytes
from portal.staff.ledger.forms import DAY_PART_LABELS, STATUS_LABELS
from portal.staff.ledger.periods import describe
from portal.staff.ledger.summary import Summary, halves, person_days

NOTHING = Decimal(0)


@dataclass(frozen=True)
class Row:
    """One line of figures: planned, actual, and what did not happen (planned less actual)."""

    label: str
    planned: Decimal
    actual: Decimal

    @property
    def difference(self) -> Decimal:
        return self.planned - self.actual

    def cells(self) -> list[str | Decimal]:
        """The row as a worksheet's cells."""
        return [self.label, self.planned, self.actual, self.difference]


@dataclass(frozen=True)
class PeriodGroup:
    """A group's periods as the city writes them, planned and actual."""

    label: str
    planned: list[str]
    actual: list[str]


def group_labels(summary: Summary) -> dict[str, str]:
    """Inside the home bureau, every other bureau, and both together."""
    return {
        "home": _("%(bureau)s内", bureau=summary.home_bureau),
        "other": _("他局"),
        "all": _("全体"),
    }


def totals(summary: Summary) -> list[Row]:
    """Total person-days, then inside the home bureau, then from the others."""
    planned, actual, labels = summary.planned, summary.actual, group_labels(summary)
    return [
        Row(_("延べ人数"), planned.total, actual.total),
        Row(labels["home"], planned.home, actual.home),
        Row(labels["other"], planned.other, actual.other),
    ]


def bureau_rows(summary: Summary) -> list[Row]:
    """Person-days per bureau, the home bureau first."""
    planned, actual = summary.planned.by_bureau, summary.actual.by_bureau
    return [Row(name, planned.get(name, NOTHING), actual.get(name, NOTHING)) for name in summary.bureaus()]


def period_groups(summary: Summary) -> list[PeriodGroup]:
    """Each group's periods, planned and actual, as lines of text."""
    return [
        PeriodGroup(label, describe(summary.planned.periods[group]), describe(summary.actual.periods[group]))
        for group, label in group_labels(summary).items()
    ]


def workbook(summary: Summary) -> bytes:
    """Totals, bureaus, periods and every entry, a worksheet each; figures are numbers, dates dates."""
    figures = [_("区分"), _("予定"), _("実績"), _("差（予定－実績）")]
    entry_columns = [
        _("日付"),
        _("応援元の局"),
        _("人数"),
        _("終日・半日"),
        _("予定・実績"),
        _("人日"),
        _("備考"),
    ]
    period_rows = [
        [group.label, str(label), line]
        for group in period_groups(summary)
        for status, label in STATUS_LABELS.items()
        for line in getattr(group, status)
    ]
    entry_rows = [
        [
            entry.day,
            entry.bureau,
            entry.people,
            str(DAY_PART_LABELS[entry.day_part]),
            str(STATUS_LABELS[entry.status]),
            person_days(halves(entry)),
            entry.note,
        ]
        for entry in SupportEntry.select().order_by(SupportEntry.day, SupportEntry.id)
    ]
    return workbook_bytes(
        [
            (_("延べ人数"), figures, [row.cells() for row in totals(summary)]),
            (_("局別内訳"), figures, [row.cells() for row in bureau_rows(summary)]),
            (_("応援期間"), [_("区分"), _("予定・実績"), _("期間")], period_rows),
            (_("明細"), entry_columns, entry_rows),
        ],
        stamp=current_stamp(),
    )
