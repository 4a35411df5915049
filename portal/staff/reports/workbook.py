"""The monthly report as a workbook: an overview sheet (month, status, sign-off, remarks), then
one sheet per table with the same headings and figures as the page (percentages as numbers)."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.core.i18n import date_time
from portal.staff.exports import current_stamp, workbook_bytes
from portal.staff.reports.tables import figures_tables, month_label
from portal.staff.reports.versions import Report


def status(report: Report) -> str:
    """Which version this is, as the page and the print say it."""
    if report.signed:
        return _("承認済み（%(number)d回目の承認）", number=report.signed.number)
    return _("未承認（現在の数値）")


def workbook(report: Report) -> bytes:
    """The report's overview and tables, a worksheet each."""
    signed = report.signed
    overview = [
        [_("対象月"), month_label(report.month)],
        [_("状態"), status(report)],
        [_("承認者"), signed.signer if signed else ""],
        [_("承認日時"), date_time(signed.at) if signed else ""],
        [_("所見・特記事項"), report.remarks],
    ]
    return workbook_bytes(
        [
            (_("概要"), [_("項目"), _("内容")], overview),
            *((table.title, table.header, table.all_rows()) for table in figures_tables(report.figures)),
        ],
        stamp=current_stamp(),
    )
