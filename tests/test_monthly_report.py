"""The monthly report to the city: every figure against a count the test makes itself from the month
it wrote out (tests/report_world.py), on the page and in the workbook; the fiscal year from April;
the remarks sealed; the operator's sign-off audited and freezing the report; the A4 print; who may
reach it."""

from __future__ import annotations

import io
import re
import unicodedata
from collections import defaultdict
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

import pytest
from openpyxl import load_workbook

from portal.core.database import database
from portal.core.dates import business_today
from portal.core.models import AuditEvent, Booking, ConsultationSession, ReportDraft, ReportSignOff, Venue
from tests import report_world as world
from tests.conftest import consent_to_exports, csrf_from
from tests.pages import without_tokens

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRAMMES = {
    "jizokuka": "持続化給付金",
    "yachin": "家賃支援給付金",
    "koyo": "雇用調整助成金",
    "kinkyu": "緊急支援補助金",
    "yushi": "融資",
}


@pytest.fixture(autouse=True)
def _city_may_export(staff_app, accounts):
    """The city holds consent to its own exports, as the demo gives it."""
    consent_to_exports(staff_app, accounts["city"].id)


def tenth(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), ROUND_HALF_UP)


def share(part, whole) -> Decimal | None:
    """part / whole to one place; percentages pass part × 100."""
    return tenth(Decimal(part) / Decimal(whole)) if whole else None


def counted_seats(month: date, key) -> dict[str, list]:
    """[capacity, taken, seat use %, consultations, walk-ins, no-shows, no-show %] per key(session),
    counted straight from the lists the world was made from."""
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for session in world.SESSIONS:
        if world.in_month(session.day, month):
            rows[key(session)][0] += session.capacity
    for seat in world.BOOKINGS:
        session = world.session_of(seat.session)
        if not world.in_month(session.day, month):
            continue
        row = rows[key(session)]
        row[1] += seat.status != "cancelled"
        row[2] += seat.status == "attended"
        row[3] += seat.status == "attended" and seat.channel == "walk-in"
        row[4] += seat.status == "no-show"
    return {
        label: [
            cap,
            taken,
            share(100 * taken, cap),
            seen,
            walk_ins,
            absent,
            share(100 * absent, seen - walk_ins + absent),
        ]
        for label, (cap, taken, seen, walk_ins, absent) in rows.items()
    }


def venue_name(session) -> str:
    return world.VENUES[session.venue][0]


def ward(session) -> str:
    return world.VENUES[session.venue][1]


def sheet_rows(book, title: str) -> list[list]:
    return [list(row) for row in book[title].iter_rows(min_row=2, values_only=True)]


def numbers(cells: list) -> list:
    """Workbook cells as the test's numbers (Decimals come back as floats)."""
    return [tenth(Decimal(str(c))) if isinstance(c, float) else c for c in cells]


def figures(cells: list) -> list:
    return [tenth(c) if isinstance(c, Decimal) else c for c in cells]


def page_cells(cells: list) -> str:
    """Figures as the page's cells: a dash for none, people and rates to one place."""
    shown = ("—" if c is None else f"{c:.1f}" if isinstance(c, Decimal) else c for c in cells)
    return "".join(f'<td class="num">{c}</td>' for c in shown)


def page_row(label: str, cells: list) -> str:
    return f'<tr><th scope="row">{label}</th>{page_cells(cells)}</tr>'


def test_every_figure_of_the_month_is_the_test_s_own_count_on_the_page_and_in_the_workbook(
    staff_app, signed_in
):
    world.seed(staff_app)
    by_venue = counted_seats(world.JUNE, venue_name)
    by_ward = counted_seats(world.JUNE, ward)
    total = counted_seats(world.JUNE, lambda _session: "合計")["合計"]
    assert by_venue["北区役所 2階 会議室"][:2] == [15, 9], (
        "a session closed to new bookings keeps its seats and what it took; cancellations left out"
    )
    assert total[3] == 8 and total[5] == 3

    city = signed_in("city")
    page = city.get("/reports/?month=2020-06").text
    for label, cells in [*by_venue.items(), *by_ward.items()]:
        assert page_row(label, cells) in page, label
    assert "未承認（現在の数値）" in page

    attended = [
        seat
        for seat in world.BOOKINGS
        if seat.status == "attended" and world.in_month(world.session_of(seat.session).day)
    ]
    by_programme = {
        name: sum(code in s.programmes.split(",") for s in attended) for code, name in PROGRAMMES.items()
    }
    by_programme["記載なし"] = sum(s.programmes == "" for s in attended)
    assert by_programme == {
        "持続化給付金": 2,
        "家賃支援給付金": 2,
        "雇用調整助成金": 2,
        "緊急支援補助金": 1,
        "融資": 1,
        "記載なし": 2,
    }

    june_calls = {
        kind: sum(n for day, k, n in world.CALLS if k == kind and world.in_month(day))
        for kind in ("booking", "enquiry")
    }
    june_days = {day: staffed for day, staffed in world.PHONE_DAYS.items() if world.in_month(day)}
    line_days = sum(lines for lines, _operators in june_days.values())
    operator_days = sum(operators for _lines, operators in june_days.values())
    planned_lines, planned_operators = world.PHONE_PLAN[world.JUNE]
    short = sum(
        lines < planned_lines or operators < planned_operators for lines, operators in june_days.values()
    )
    calls = sum(june_calls.values())

    download = city.get("/reports/monthly.xlsx?month=2020-06")
    assert download.status_code == 200 and download.mimetype == XLSX
    book = load_workbook(io.BytesIO(download.data))
    assert book.sheetnames == [
        "概要",
        "会場別の相談件数と座席の利用",
        "区別の相談件数と座席の利用",
        "支援制度別の相談件数",
        "電話受付",
        "電話受付の体制（計画と実績）",
        "会場受付の体制（計画と実績）",
        "2020年度の累計（4月から）",
        "出力情報",
    ]
    assert sheet_rows(book, "概要")[:2] == [["対象月", "2020年6月"], ["状態", "未承認（現在の数値）"]]
    venues = sheet_rows(book, "会場別の相談件数と座席の利用")
    assert {row[0]: numbers(row[1:]) for row in venues[:-1]} == by_venue
    assert venues[-1][0] == "合計" and numbers(venues[-1][1:]) == total
    wards = sheet_rows(book, "区別の相談件数と座席の利用")
    assert {row[0]: numbers(row[1:]) for row in wards[:-1]} == by_ward
    assert dict(sheet_rows(book, "支援制度別の相談件数")) == by_programme
    assert numbers(sheet_rows(book, "電話受付")[0]) == [
        calls,
        june_calls["booking"],
        june_calls["enquiry"],
        line_days,
        share(calls, line_days),
    ]
    assert numbers(sheet_rows(book, "電話受付の体制（計画と実績）")[0]) == [
        planned_lines,
        share(line_days, len(june_days)),
        planned_operators,
        share(operator_days, len(june_days)),
        len(june_days),
        short,
    ]
    reception = {row[0]: numbers(row[1:]) for row in sheet_rows(book, "会場受付の体制（計画と実績）")}
    for key, (name, _ward) in world.VENUES.items():
        days = {d: staff for (v, d), staff in world.RECEPTION_DAYS.items() if v == key and world.in_month(d)}
        planned = world.RECEPTION_PLAN.get((key, world.JUNE))
        below = sum(planned is not None and staff < planned for staff in days.values())
        assert reception[name] == [planned, share(sum(days.values()), len(days)), len(days), below], name
    # Every cell of the workbook is a value, never a formula.
    assert not any(
        isinstance(cell, str) and cell.startswith("=")
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    )


def fiscal_row(month_first: date, month_last: date) -> list:
    """[consultations, capacity, taken, seat use %, no-shows, no-show %, calls, lines staffed]."""

    def within(day: date) -> bool:
        return month_first <= day <= month_last

    cap = sum(s.capacity for s in world.SESSIONS if within(s.day))
    seats = [b for b in world.BOOKINGS if within(world.session_of(b.session).day)]
    taken = sum(b.status != "cancelled" for b in seats)
    seen = sum(b.status == "attended" for b in seats)
    walk_ins = sum(b.status == "attended" and b.channel == "walk-in" for b in seats)
    absent = sum(b.status == "no-show" for b in seats)
    calls = sum(n for day, _kind, n in world.CALLS if within(day))
    lines = sum(lines for day, (lines, _ops) in world.PHONE_DAYS.items() if within(day))
    return [
        seen,
        cap,
        taken,
        share(100 * taken, cap),
        absent,
        share(100 * absent, seen - walk_ins + absent),
        calls,
        lines,
    ]


BOUNDARY = (  # sessions on either side of the fiscal year's turn, 31 March / 1 April 2021
    world.Session("fy-start", "kita", date(2020, 4, 20), 3),
    world.Session("march", "library", date(2021, 3, 31), 5),
    world.Session("april", "minami", date(2021, 4, 1), 4),
)
BOUNDARY_SEATS = (
    world.Seat("fy-start", "phone", "attended", "yushi"),
    world.Seat("march", "phone", "attended", "koyo"),
    world.Seat("march", "web", "no-show", "koyo"),
    world.Seat("april", "walk-in", "attended"),
    world.Seat("april", "phone", "no-show", "yachin"),
)


def test_the_fiscal_year_runs_from_april_to_march(staff_app, signed_in, monkeypatch):
    monkeypatch.setattr(world, "SESSIONS", (*world.SESSIONS, *BOUNDARY))
    monkeypatch.setattr(world, "BOOKINGS", (*world.BOOKINGS, *BOUNDARY_SEATS))
    monkeypatch.setattr(
        world, "CALLS", (*world.CALLS, (date(2021, 3, 31), "enquiry", 5), (date(2021, 4, 1), "booking", 7))
    )
    world.seed(staff_app, world.SESSIONS, world.BOOKINGS, world.CALLS)
    city = signed_in("city")

    def year(month: str) -> list[list]:
        book = load_workbook(io.BytesIO(city.get(f"/reports/monthly.xlsx?month={month}").data))
        title = next(name for name in book.sheetnames if name.endswith("の累計（4月から）"))
        return [[row[0], *numbers(row[1:])] for row in sheet_rows(book, title)]

    march = year("2021-03")
    assert [row[0] for row in march] == [f"2020年{m}月" for m in range(4, 13)] + [
        f"2021年{m}月" for m in (1, 2, 3)
    ] + ["年度計"]
    assert march[-1][1:] == fiscal_row(date(2020, 4, 1), date(2021, 3, 31))
    assert march[-1][1] == 1 + 1 + 8 + 1 + 1, "April to July 2020 and March 2021, not April 2021"
    assert march[2][1:] == fiscal_row(date(2020, 6, 1), date(2020, 6, 30))
    april = year("2021-04")
    assert [row[0] for row in april] == ["2021年4月", "年度計"]
    assert april[-1][1:] == april[0][1:] == fiscal_row(date(2021, 4, 1), date(2021, 4, 30))
    assert "2021年度の累計（4月から）" in city.get("/reports/?month=2021-04").text


def events(app, action: str) -> list[str]:
    with app.app_context(), database.connection_context():
        return [
            e.object_id
            for e in AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq)
        ]


def test_the_operator_s_sign_off_is_audited_and_freezes_the_report_until_the_next(
    staff_app, signed_in, accounts
):
    world.seed(staff_app)
    operator, city = signed_in("operator"), signed_in("city")
    page = operator.get("/reports/?month=2020-06").text
    token = csrf_from(page)
    remarks = "6月15日は北区役所で機器の不具合があり、受付を30分遅らせました。"
    saved = operator.post("/reports/remarks?month=2020-06", data={"csrf_token": token, "remarks": remarks})
    assert saved.status_code == 303
    with staff_app.app_context(), database.connection_context():
        stored = bytes(ReportDraft.get().remarks)
    assert remarks.encode() not in stored and "北区役所".encode() not in stored, "remarks are sealed"
    assert events(staff_app, "report.remarks") == ["2020-06"]

    signed = operator.post("/reports/sign-off?month=2020-06", data={"csrf_token": token})
    assert signed.status_code == 303
    assert (
        "2020年6月の月次報告を承認しました（operator@example.jp"
        in operator.get(signed.headers["Location"]).text
    )
    assert events(staff_app, "report.sign-off") == ["2020-06"]
    page = city.get("/reports/?month=2020-06").text
    assert "承認済み" in page and "承認者: operator@example.jp" in page and remarks in page
    total = counted_seats(world.JUNE, lambda _s: "合計")["合計"]
    assert page_row("合計", total) in page

    # A late correction: the confirmed visitor of 15 June did not come.
    with staff_app.app_context(), database.connection_context():
        Booking.update(status="no-show").where(Booking.status == "confirmed").execute()
    frozen = city.get("/reports/?month=2020-06").text
    assert page_row("合計", total) in frozen, "the signed report keeps the figures as signed"
    assert "承認の後に数値または所見が変わりました" in frozen
    book = load_workbook(io.BytesIO(city.get("/reports/monthly.xlsx?month=2020-06").data))
    assert numbers(sheet_rows(book, "会場別の相談件数と座席の利用")[-1][1:]) == total
    assert sheet_rows(book, "概要")[2] == ["承認者", "operator@example.jp"]
    assert sheet_rows(book, "概要")[4] == ["所見・特記事項", remarks]
    now = city.get("/reports/?month=2020-06&version=current").text
    absent = total[5] + 1
    corrected = [*total[:5], absent, share(100 * absent, total[3] - total[4] + absent)]
    assert page_row("合計", corrected) in now and "未承認（現在の数値）" in now

    again = operator.post("/reports/sign-off?month=2020-06", data={"csrf_token": token})
    assert again.status_code == 303
    page = city.get("/reports/?month=2020-06").text
    assert page_row("合計", corrected) in page and "（2回目の承認）" in page
    assert "承認の後に数値または所見が変わりました" not in page
    assert events(staff_app, "report.sign-off") == ["2020-06", "2020-06"]
    with staff_app.app_context(), database.connection_context():
        assert ReportSignOff.select().count() == 2, "the first sign-off is kept"

    # The city reads and never signs; a month not yet over cannot be signed.
    assert (
        city.post("/reports/sign-off?month=2020-06", data={"csrf_token": csrf_from(page)}).status_code == 404
    )
    assert "この内容で承認する" not in page and "所見を保存" not in page
    with staff_app.app_context(), database.connection_context():
        venue = Venue.get()
        ConsultationSession.create(
            venue=venue, date=business_today(), starts_at=time(10), ends_at=time(11), capacity=1
        )
    this_month = business_today().strftime("%Y-%m")  # Tokyo's month, as the report's
    refused = operator.post(f"/reports/sign-off?month={this_month}", data={"csrf_token": token})
    assert "まだ終わっていないため、承認できません" in operator.get(refused.headers["Location"]).text
    assert events(staff_app, "report.sign-off") == ["2020-06", "2020-06"]


def test_remarks_too_long_come_back_as_typed(staff_app, signed_in):
    world.seed(staff_app, staffing=False)
    operator = signed_in("operator")
    token = csrf_from(operator.get("/reports/?month=2020-06").text)
    typed = "長" * 4001
    again = operator.post("/reports/remarks?month=2020-06", data={"csrf_token": token, "remarks": typed})
    assert (
        again.status_code == 200 and "4000文字以内で入力してください。" in again.text and typed in again.text
    )
    assert events(staff_app, "report.remarks") == []


@pytest.mark.parametrize("role", ["consultant", "admin", "anonymous"])
def test_only_the_city_and_the_operator_reach_the_report_and_the_staffing(staff_app, signed_in, role):
    world.seed(staff_app, staffing=False)
    client = staff_app.test_client() if role == "anonymous" else signed_in(role)
    unknown = without_tokens(client.get("/no-such-page").data)
    for url in (
        "/reports/?month=2020-06",
        "/reports/print?month=2020-06",
        "/reports/monthly.xlsx?month=2020-06",
        "/staffing/?month=2020-06",
        "/staffing/plan?month=2020-06",
        "/staffing/actual?date=2020-06-01",
    ):
        answer = client.get(url)
        assert answer.status_code == 404 and without_tokens(answer.data) == unknown, url
    token = {"csrf_token": "" if role == "anonymous" else csrf_from(client.get("/").text)}
    for url in ("/reports/sign-off?month=2020-06", "/reports/remarks?month=2020-06", "/staffing/plan"):
        assert client.post(url, data=token).status_code == 404, url
    if role != "anonymous":
        home = client.get("/").text
        assert 'href="/reports/"' not in home and 'href="/staffing/"' not in home


@pytest.mark.parametrize("role", ["city", "operator"])
def test_the_menu_leads_the_city_and_the_operator_to_the_report(signed_in, role):
    home = signed_in(role).get("/").text
    assert '<a href="/reports/">月次報告</a>' in home and '<a href="/staffing/">体制計画</a>' in home


A4_PORTRAIT_MM = (210, 297)
PRINTABLE_MM = 210 - 2 * 10  # the sheet's side margins (print.css)
CSS_PX_PER_MM = 96 / 25.4


def printed(browser, client, url: str):
    """The page as chromium prints it, served by the test client through the browser's router;
    returns the PDF and, per table, its width and the printable width, both in CSS pixels."""
    from pypdf import PdfReader

    def serve(route) -> None:
        asked = urlsplit(route.request.url)
        with client.get(f"{asked.path}?{asked.query}" if asked.query else asked.path) as answer:
            route.fulfill(status=answer.status_code, headers=dict(answer.headers), body=answer.data)

    width = round(PRINTABLE_MM * CSS_PX_PER_MM)
    context = browser.new_context(viewport={"width": width, "height": 1000})
    try:
        page = context.new_page()
        page.route("http://portal.test/**", serve)
        page.goto(f"http://portal.test{url}")
        page.emulate_media(media="print")
        measured = page.evaluate(
            """() => [...document.querySelectorAll('.report-sheet table')].map(t => ({
                key: t.dataset.table, width: t.getBoundingClientRect().width, scroll: t.scrollWidth,
                sheet: document.querySelector('.report-sheet').getBoundingClientRect().width,
                rowsAvoidBreaks: [...t.rows].every(r => getComputedStyle(r).breakInside === 'avoid')}))"""
        )
        pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    finally:
        context.close()
    return pdf, measured


def test_the_print_view_is_a4_portrait_and_no_table_is_cut(staff_app, signed_in, browser):
    world.seed(staff_app)
    operator = signed_in("operator")
    pdf, tables = printed(browser, operator, "/reports/print?month=2020-06")
    for sheet in pdf.pages:
        width, height = (float(v) for v in sheet.mediabox.upper_right)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == A4_PORTRAIT_MM
    assert len(tables) == 7
    for table in tables:
        assert table["width"] <= table["sheet"] + 0.5 and table["scroll"] <= table["width"] + 0.5, table
        assert table["sheet"] <= PRINTABLE_MM * CSS_PX_PER_MM + 0.5, table
        assert table["rowsAvoidBreaks"], table
    text = "".join(unicodedata.normalize("NFKC", sheet.extract_text()) for sheet in pdf.pages)
    assert "月次報告" in text and "印刷する" not in text
    # Each venue's row reads whole on one page: its name and its figures together.
    for name, cells in counted_seats(world.JUNE, venue_name).items():
        row = " ".join(str(c) for c in cells if c is not None)
        assert any(
            re.search(
                re.escape(unicodedata.normalize("NFKC", name)) + r"\s*" + re.escape(row),
                unicodedata.normalize("NFKC", s.extract_text()),
            )
            for s in pdf.pages
        ), name
