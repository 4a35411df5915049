"""The report's figures as labelled tables: the same on the page, on paper and in the workbook.

A cell is text, a whole number, a Decimal (people, rates and percentages to one place) or None
where there is nothing to divide by or no plan; the page shows None as a dash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.core.programmes import PROGRAMMES
from portal.staff.exports import Cell
from portal.staff.reports.content import Figures
from portal.staff.reports.queries import NONE_STATED, Period, PhoneStaffing, ReceptionStaffing, Seats


@dataclass(frozen=True)
class Table:
    """A titled table; `total` is its last row, set apart (a footer on the page)."""

    key: str
    title: str
    header: Sequence[str]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    note: str = ""
    numbers_from: int = 1  # the first column that holds figures (right-aligned)

    def all_rows(self) -> list[list[Cell]]:
        """The rows, then the total."""
        return [*self.rows, *([self.total] if self.total else [])]


SEAT_COLUMNS = (
    _l("定員"),
    _l("埋まった席"),
    _l("座席利用率（%）"),
    _l("相談件数"),
    _l("うち当日来場"),
    _l("欠席"),
    _l("欠席率（%）"),
)


def _seat_cells(row: Seats) -> list[Cell]:
    return [
        row.capacity,
        row.taken,
        row.seat_use,
        row.consultations,
        row.walk_ins,
        row.no_shows,
        row.no_show_rate,
    ]


def _seats(key: str, title: str, first: str, rows: list[Seats], total: Seats) -> Table:
    return Table(
        key,
        title,
        [first, *map(str, SEAT_COLUMNS)],
        [[row.label, *_seat_cells(row)] for row in rows],
        [_("合計"), *_seat_cells(total)],
    )


def month_label(month: date) -> str:
    """2020年6月, June 2020."""
    return _("%(year)s年%(month)s月", year=month.year, month=month.month)


def programme_label(code: str) -> str:
    """A programme's name, or what a consultation that named none is listed as."""
    if code == NONE_STATED:
        return _("記載なし")
    return str(dict(PROGRAMMES).get(code, code))


def phone_staffing(phone: PhoneStaffing) -> Table:
    """The month's phone plan against the days entered: one row."""
    return Table(
        "phone-staffing",
        _("電話受付の体制（計画と実績）"),
        [
            _("回線（計画）"),
            _("回線（実績・1日平均）"),
            _("オペレーター（計画・人）"),
            _("オペレーター（実績・1日平均）"),
            _("実績を入力した日数"),
            _("計画を下回った日数"),
        ],
        [
            [
                phone.planned_lines,
                phone.lines,
                phone.planned_operators,
                phone.operators,
                phone.days,
                phone.days_short,
            ]
        ],
        note=_("計画を下回った日は、回線かオペレーターのどちらかが計画より少なかった日です。"),
        numbers_from=0,
    )


def reception_staffing(rows: list[ReceptionStaffing]) -> Table:
    """Each venue's reception plan against the days entered."""
    return Table(
        "reception-staffing",
        _("会場受付の体制（計画と実績）"),
        [
            _("会場"),
            _("計画（人）"),
            _("実績（1日平均・人）"),
            _("実績を入力した日数"),
            _("計画を下回った日数"),
        ],
        [[row.venue, row.planned, row.staff, row.days, row.days_short] for row in rows],
    )


def _period_cells(found: Period) -> list[Cell]:
    return [
        found.seats.consultations,
        found.seats.capacity,
        found.seats.taken,
        found.seats.seat_use,
        found.seats.no_shows,
        found.seats.no_show_rate,
        found.calls,
        found.line_days,
    ]


def figures_tables(figures: Figures) -> list[Table]:
    """Every table of the report, in the order it reads."""
    phone = figures.phone
    return [
        _seats("venues", _("会場別の相談件数と座席の利用"), _("会場"), figures.venues, figures.total),
        _seats("wards", _("区別の相談件数と座席の利用"), _("区"), figures.wards, figures.total),
        Table(
            "programmes",
            _("支援制度別の相談件数"),
            [_("支援制度"), _("相談件数")],
            [[programme_label(row.code), row.consultations] for row in figures.programmes],
            note=_("1件の相談で複数の支援制度を挙げた場合は、それぞれに数えます。"),
        ),
        Table(
            "calls",
            _("電話受付"),
            [
                _("受けた電話"),
                _("うち予約"),
                _("うち問い合わせ"),
                _("対応した回線（延べ）"),
                _("1回線1日あたりの電話"),
            ],
            [
                [
                    figures.calls.total,
                    figures.calls.bookings,
                    figures.calls.enquiries,
                    phone.line_days,
                    phone.calls_per_line,
                ]
            ],
            numbers_from=0,
        ),
        phone_staffing(phone),
        reception_staffing(figures.reception),
        Table(
            "fiscal-year",
            _("%(year)s年度の累計（4月から）", year=figures.fiscal_total.first.year),
            [
                _("月"),
                _("相談件数"),
                _("定員"),
                _("埋まった席"),
                _("座席利用率（%）"),
                _("欠席"),
                _("欠席率（%）"),
                _("受けた電話"),
                _("対応した回線（延べ）"),
            ],
            [[month_label(row.first), *_period_cells(row)] for row in figures.fiscal_months],
            [_("年度計"), *_period_cells(figures.fiscal_total)],
        ),
    ]


def shown(cell: Cell) -> str:
    """A cell as the page shows it: a dash for nothing."""
    if cell is None:
        return "—"
    return str(cell) if not isinstance(cell, Decimal) else f"{cell:.1f}"
