"""Spreadsheet exports (CSV for Excel in Japan, and XLSX) that cannot carry a formula.

A cell that begins with =, +, -, @, a tab or a carriage return is read by spreadsheet programs
as a formula (or as the start of one); such text cells get a leading apostrophe, which shows
the text as typed and runs nothing. Numbers and dates stay typed values. A workbook opens ready
to read: a bold header that stays in view while scrolling, and columns as wide as their text.

Every file names who exported it and when (a Stamp), so a copy found anywhere says where it came
from: a CSV in its last line; a workbook in its properties, in the footer of every printed page
and on a sheet of its own at the end. Its labels are Japanese whatever the reader's language,
so that a file found anywhere states its source in the same words (and can be made where no
request chooses a language, as the demo's files are).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_login import current_user
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.core.dates import tokyo_text
from portal.core.models import User
from portal.core.models.base import utcnow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | float | Decimal | date | None
Sheet = tuple[str, Sequence[str], Iterable[Sequence[Cell]]]  # title, header, rows
NARROWEST, WIDEST = 6, 60  # column widths, in Excel's units (about one half-width character)
STAMP_SHEET, STAMP_HEADER = "出力情報", ["項目", "内容"]
FOOTER_MAX = 120  # characters; Excel refuses a footer past 255, and each & is written twice


@dataclass(frozen=True)
class Stamp:
    """Who exported a file and when (`at` is a stored, naive UTC time)."""

    exporter: str
    at: datetime

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs: 出力者 and 出力日時 (Tokyo time)."""
        return [("出力者", self.exporter), ("出力日時", f"{tokyo_text(self.at)} JST")]

    def sentence(self) -> str:
        """Both on one line, for a footer or a description."""
        return "　".join(f"{label}: {value}" for label, value in self.lines())


def exporter_of(user: User) -> str:
    """An account as a file names it: its name and email, and its organisation."""
    named = f"{user.display_name} <{user.email}>" if user.display_name else user.email
    return f"{named}（{user.organisation.name}）"


def current_stamp() -> Stamp:
    """The signed-in user, now."""
    return Stamp(exporter_of(current_user), utcnow())


def neutralise(value: Cell) -> Cell:
    """Text that a spreadsheet would run is made inert; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, stamp: Stamp) -> bytes:
    """UTF-8 with a byte-order mark and CRLF line ends, as Excel in Japan opens it; the last line
    is the stamp (出力者, who, 出力日時, when)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    writer.writerow([neutralise(text) for line in stamp.lines() for text in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def display_width(value: Cell) -> int:
    """How many half-width characters a cell's text takes: full-width (Japanese) ones count two."""
    text = value.isoformat() if isinstance(value, date) else str("" if value is None else value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]], *, stamp: Stamp) -> bytes:
    """One worksheet with a frozen, bold header row and fitted columns; text cells are stored as
    text, never as formulas. The stamp's sheet follows it."""
    return workbook_bytes([(title, header, rows)], stamp=stamp)


def workbook_bytes(sheets: Iterable[Sheet], *, stamp: Stamp) -> bytes:
    """A worksheet per (title, header, rows), in order, each made as xlsx_bytes makes its one, then
    the stamp's sheet; the stamp is also in the file's properties and every sheet's printed footer."""
    sheets = list(sheets)
    workbook = Workbook(write_only=True)
    _stamp_properties(workbook, stamp, sheets[0][0] if sheets else "")
    bold = Font(bold=True)
    for title, header, rows in [*sheets, (STAMP_SHEET, STAMP_HEADER, stamp.lines())]:
        header = [neutralise(h) for h in header]
        rows = [[neutralise(v) for v in row] for row in rows]
        sheet = workbook.create_sheet(title=title[:31])
        for index, column in enumerate(zip(header, *rows, strict=True), start=1):
            widest = max(display_width(value) for value in column)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, NARROWEST), WIDEST)
        sheet.freeze_panes = "A2"
        sheet.oddFooter.left.text = _footer_text(stamp)
        sheet.append([_header_cell(sheet, value, bold) for value in header])
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet, value: Cell, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def _footer_text(stamp: Stamp) -> str:
    """The stamp as a footer: `&` starts a footer code, so a literal one is written twice."""
    return stamp.sentence()[:FOOTER_MAX].replace("&", "&&")


def _stamp_properties(workbook: Workbook, stamp: Stamp, title: str) -> None:
    """The stamp where a file's properties show it (File > Info), and as custom properties."""
    properties = workbook.properties
    properties.creator = properties.lastModifiedBy = stamp.exporter
    properties.title = title
    properties.description = stamp.sentence()
    properties.created = properties.modified = stamp.at
    workbook.custom_doc_props.append(StringProperty(name="exported_by", value=stamp.exporter))
    workbook.custom_doc_props.append(StringProperty(name="exported_at", value=stamp.lines()[1][1]))
