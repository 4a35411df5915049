"""Spreadsheet exports (CSV for Excel in Japan, and XLSX) that cannot carry a formula.

A cell that begins with =, +, -, @, a tab or a carriage return is read by spreadsheet programs
as a formula (or as the start of one); such text cells get a leading apostrophe, which shows
the text as typed and runs nothing. Numbers and dates stay typed values. A workbook opens ready
to read: a bold header that stays in view while scrolling, and columns as wide as their text.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | float | Decimal | date | None
Sheet = tuple[str, Sequence[str], Iterable[Sequence[Cell]]]  # title, header, rows
NARROWEST, WIDEST = 6, 60  # column widths, in Excel's units (about one half-width character)


def neutralise(value: Cell) -> Cell:
    """Text that a spreadsheet would run is made inert; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte-order mark and CRLF line ends, as Excel in Japan opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def display_width(value: Cell) -> int:
    """How many half-width characters a cell's text takes: full-width (Japanese) ones count two."""
    text = value.isoformat() if isinstance(value, date) else str("" if value is None else value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One worksheet with a frozen, bold header row and fitted columns; text cells are stored as
    text, never as formulas."""
    return workbook_bytes([(title, header, rows)])


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """A worksheet per (title, header, rows), in order, each made as xlsx_bytes makes its one."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        header = [neutralise(h) for h in header]
        rows = [[neutralise(v) for v in row] for row in rows]
        sheet = workbook.create_sheet(title=title[:31])
        for index, column in enumerate(zip(header, *rows, strict=True), start=1):
            widest = max(display_width(value) for value in column)
            sheet.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, NARROWEST), WIDEST)
        sheet.freeze_panes = "A2"
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
