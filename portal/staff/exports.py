"""Spreadsheet exports (CSV for Excel in Japan, and XLSX) that cannot carry a formula.

A cell that begins with =, +, -, @, a tab or a carriage return is read by spreadsheet programs
as a formula (or as the start of one); such text cells get a leading apostrophe, which shows
the text as typed and runs nothing. Numbers and dates stay typed values.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Cell = str | int | float | Decimal | date | None
Sheet = tuple[str, Sequence[str], Iterable[Sequence[Cell]]]  # title, header, rows


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


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One worksheet with a header row; text cells are stored as text, never as formulas."""
    return workbook_bytes([(title, header, rows)])


def workbook_bytes(sheets: Iterable[Sheet]) -> bytes:
    """A worksheet per (title, header, rows), in order, each made as xlsx_bytes makes its one."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([neutralise(h) for h in header])
        for row in rows:
            sheet.append([neutralise(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
