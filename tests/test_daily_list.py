"""The daily list as the city, the consultants and the operator read it: a heading per venue, each
venue's bookings in time order, a count, the status in words, and exports that open ready to read.

Written out again: a venue whose first booking is earlier comes first; within a venue 10:00 comes
before 13:30 whatever the venues' names; the CSV and XLSX say 確定 where the store says confirmed.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from portal.core.dates import business_today
from portal.core.models import AuditEvent
from tests.conftest import consent_to_exports
from tests.front_desk import seat, session_at, venue

DAY = business_today() + timedelta(days=2)


@pytest.fixture
def day_of_bookings(staff_app):
    """Two venues: あおば (name first) has an afternoon only; みなと has a morning and an afternoon."""
    with staff_app.app_context():
        aoba, minato = venue("あおば公民館"), venue("みなと区役所")
        afternoon = session_at(aoba, DAY, 13, 30)
        morning, minato_afternoon = session_at(minato, DAY, 10), session_at(minato, DAY, 13, 30)
        seat(minato_afternoon, contact_name="午後 三郎", business_name="三郎商店", phone="03-3333-0003")
        seat(afternoon, contact_name="午後 一子", business_name="一子商店", phone="03-1111-0001")
        seat(
            morning,
            contact_name="午前 二郎",
            business_name="二郎工房",
            phone="03-2222-0002",
            status="requested",
        )
        return aoba.id, minato.id


def test_the_page_has_a_heading_per_venue_in_time_order_and_a_count(signed_in, day_of_bookings):
    page = signed_in("city").get(f"/bookings/daily?date={DAY.isoformat()}").text
    assert "予約 3件（2会場）" in page
    headings = re.findall(r'<h2 id="venue-\d+">([^<]+) <span class="count">(\d+)件</span></h2>', page)
    assert headings == [("みなと区役所", "2"), ("あおば公民館", "1")], "the venue open earliest first"
    assert page.index("午前 二郎") < page.index("午後 三郎") < page.index("午後 一子")
    assert ">確認待ち<" in page and ">確定<" in page, "the status in words"


def test_csv_and_xlsx_say_the_status_in_words_in_the_page_s_order(
    staff_app, signed_in, accounts, day_of_bookings
):
    consent_to_exports(staff_app, accounts["operator"].id)
    client = signed_in("operator")
    csv = client.get(f"/bookings/daily.csv?date={DAY.isoformat()}").data.decode("utf-8-sig")
    lines = csv.splitlines()
    assert lines[0].split(",")[:4] == ["時間", "会場", "受付番号", "状態"]
    rows = [line.split(",") for line in lines[1:-1]]
    assert lines[-1].startswith("出力者,operator@example.jp（operator org）,出力日時,"), "who exported it"
    assert [(row[0], row[1], row[3]) for row in rows] == [
        ("10:00", "みなと区役所", "確認待ち"),
        ("13:30", "みなと区役所", "確定"),
        ("13:30", "あおば公民館", "確定"),
    ]
    assert "confirmed" not in csv and "requested" not in csv
    assert "03-3333-0003" in csv, "the phone number as typed"
    workbook = load_workbook(io.BytesIO(client.get(f"/bookings/daily.xlsx?date={DAY.isoformat()}").data))
    sheet = workbook.active
    assert sheet.freeze_panes == "A2", "the header stays in view"
    assert [cell.value for cell in sheet["D"]] == ["状態", "確認待ち", "確定", "確定"]
    assert sheet["A1"].font.bold
    widths = {column: sheet.column_dimensions[column].width for column in "ABCDEFGH"}
    assert all(width and width >= 6 for width in widths.values()), widths
    assert widths["E"] > widths["A"], "the business name's column is wider than the time's"


def test_the_print_view_is_a_sheet_per_venue_and_audited(staff_app, signed_in, day_of_bookings):
    page = signed_in("city").get(f"/bookings/daily/print?date={DAY.isoformat()}")
    assert page.status_code == 200
    assert "css/print.css" in page.text and "css/staff.css" not in page.text
    assert page.text.count('<section class="sheet"') == 2
    assert page.text.index("みなと区役所") < page.text.index("あおば公民館")
    with staff_app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "booking.print").count() == 3


def test_a_consultant_prints_only_their_own_sessions(staff_app, signed_in, accounts):
    with staff_app.app_context():
        place = venue("架空区役所")
        mine = session_at(place, DAY, 10, consultant=accounts["consultant"].id)
        seat(mine, contact_name="担当 一郎", business_name="一郎商店")
        seat(session_at(place, DAY, 14), contact_name="別室 次郎", business_name="次郎商店")
    page = signed_in("consultant").get(f"/bookings/daily/print?date={DAY.isoformat()}").text
    assert "担当 一郎" in page and "別室 次郎" not in page
    assert signed_in("operator").get(f"/bookings/reception/print?date={DAY.isoformat()}").status_code == 200
    assert signed_in("consultant").get(f"/bookings/reception/print?date={DAY.isoformat()}").status_code == 404
