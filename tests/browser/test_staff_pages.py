"""The staff pages in a real browser, as the operator, the city and the consultants use them every
day: the daily list and its A4 print, reception on a phone, a tablet and a desktop, finding a
booking by part of a name, destructive actions that ask first, and the same pages without
JavaScript. Every page visited passes axe-core. Screenshots go to PORTAL_SCREENSHOTS if it is set."""

from __future__ import annotations

import io
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import expect
from pypdf import PdfReader

from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession, User, Venue, WeeklyPattern
from portal.core.reservations import book
from portal.staff.people import FIELDS, sealed_with_indexes
from tests.browser.conftest import (
    SignedIn,
    assert_accessible,
    create_account,
    new_instance,
    serve_staff,
    staff_models,
)
from tests.conftest import Account

TODAY = business_today()
TOMORROW = TODAY + timedelta(days=1)
STAFF = {
    "operator": ("desk@example.jp", "operator", "架空コールセンター株式会社"),
    "city": ("city-desk@example.jp", "city", "架空市 産業観光局"),
    "admin": ("admin-desk@example.jp", "admin", "架空市 情報システム課"),
    "consultant": ("adviser@example.jp", "consultant", "架空県行政書士会"),
}
# Today: みなと区役所 has a morning and an afternoon session, あおば公民館 (whose name sorts first)
# only an afternoon one; the list must read みなと first, 10:00 before 13:30.
TODAY_BOOKINGS = (
    (
        "minato",
        13,
        30,
        {"contact_name": "午後 三郎", "business_name": "三郎商店", "contact_kana": "ゴゴ サブロウ"},
    ),
    (
        "aoba",
        13,
        30,
        {"contact_name": "午後 一子", "business_name": "一子商店", "contact_kana": "ゴゴ イチコ"},
    ),
    (
        "minato",
        10,
        0,
        {
            "contact_name": "鈴木 太郎",
            "contact_kana": "スズキ タロウ",
            "business_name": "株式会社ひかりベーカリー",
            "business_kana": "ヒカリベーカリー",
            "phone": "03-5555-0101",
        },
    ),
)
LATER = {
    "contact_name": "取消 花子",
    "business_name": "取消商店",
    "contact_kana": "トリケシ ハナコ",
    "phone": "03-5555-0202",
}


@dataclass
class Desk:
    """The running staff instance and what the tests meet in it."""

    base: str
    desk: SignedIn
    people: dict[str, Account]
    later_booking: int
    venue: int
    models: Flask


def _session(venue: Venue, day: date, hour: int, minute: int = 0) -> ConsultationSession:
    return ConsultationSession.create(
        venue=venue, date=day, starts_at=time(hour, minute), ends_at=time(hour + 1, minute), capacity=6
    )


def _seat(session: ConsultationSession, person: dict) -> Booking:
    payload = {**dict.fromkeys(FIELDS, ""), **person}
    return book(
        session.id, channel="phone", status="confirmed", programmes="yachin", **sealed_with_indexes(payload)
    ).booking


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    instance, env = new_instance(tmp_path_factory, "staff-pages")
    people = {key: create_account(env, *details) for key, details in STAFF.items()}
    models = staff_models(instance)
    with models.app_context():
        venues = {
            "minato": Venue.create(
                name="みなと区役所 2階 会議室", ward="みなと区", address="架空市みなと区1-1"
            ),
            "aoba": Venue.create(name="あおば公民館 和室", ward="あおば区", address="架空市あおば区2-2"),
        }
        sessions: dict[tuple, ConsultationSession] = {}
        for key, hour, minute, person in TODAY_BOOKINGS:
            if (key, hour, minute) not in sessions:
                sessions[key, hour, minute] = _session(venues[key], TODAY, hour, minute)
            _seat(sessions[key, hour, minute], person)
        later = _seat(_session(venues["minato"], TOMORROW, 10), LATER)
        WeeklyPattern.create(
            venue=venues["minato"], weekday=2, starts_at=time(10), ends_at=time(11), capacity=4
        )
        ids = later.id, venues["minato"].id
    with serve_staff(env) as base:
        yield Desk(base, SignedIn(base), people, ids[0], ids[1], models)


def shot(page, name: str, media: str = "screen") -> None:
    """Keep a screenshot for people to look at, when asked to (`media="print"`: as it prints)."""
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.emulate_media(media=media)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
        page.emulate_media(media="null")


def assert_accessible_as_served(page) -> None:
    """axe-core on a page shown without JavaScript: axe needs scripts to run, so it checks the same
    HTML, with the same styles, in a twin page that has them."""
    twin = page.context.browser.new_page()
    try:
        twin.set_content(page.content().replace("<head>", f'<head><base href="{page.url}">', 1))
        assert_accessible(twin)
    finally:
        twin.close()


def pdf_of(page) -> PdfReader:
    """The page printed by chromium on the paper its own CSS asks for."""
    return PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))


def font_names(resources) -> set[str]:
    """The names of the fonts a page's resources use, through form objects and composite fonts."""
    resources = resources.get_object()
    names = set()
    for font in resources.get("/Font", {}).values():
        font = font.get_object()
        for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
            names.add(str(part.get("/BaseFont", "")))
            if "/FontDescriptor" in part:
                names.add(str(part["/FontDescriptor"].get_object().get("/FontName", "")))
    for drawn in resources.get("/XObject", {}).values():
        if "/Resources" in drawn.get_object():
            names |= font_names(drawn.get_object()["/Resources"])
    return names


def test_the_daily_list_reads_in_time_order_under_venue_headings_and_prints_a_page_per_venue(new_page, desk):
    page = new_page(viewport={"width": 1280, "height": 900})
    desk.desk.open(page, desk.people["city"], "/bookings/daily")
    expect(
        page.get_by_role("navigation", name="メニュー").get_by_role("link", name="日別予約一覧")
    ).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("status").filter(has_text="予約 3件（2会場）")).to_be_visible()
    headings = page.locator("main h2").all_inner_texts()
    assert [re.sub(r"\s*\d+件$", "", h) for h in headings] == ["みなと区役所 2階 会議室", "あおば公民館 和室"]
    first_table = page.get_by_role("table").first
    expect(first_table.get_by_role("row").nth(1)).to_contain_text("10:00")
    expect(first_table.get_by_role("row").nth(2)).to_contain_text("13:30")
    expect(first_table).to_contain_text("確定")
    assert_accessible(page)
    shot(page, "daily-1280")

    page.get_by_role("link", name="印刷用の表示（A4）").click()
    expect(page.get_by_role("button", name="印刷する")).to_be_visible()
    assert_accessible(page)
    shot(page, "daily-print-1280")
    shot(page, "daily-printed", media="print")
    printed = pdf_of(page)
    assert len(printed.pages) == 2, "a page per venue"
    width, height = (float(v) for v in printed.pages[0].mediabox.upper_right)
    assert round(width / 72 * 25.4) == 297 and round(height / 72 * 25.4) == 210, "A4 landscape"
    # The CJK font maps some kanji to radical code points (⽊ for 木, ⺠ for 民); NFKC folds the first kind.
    texts = [unicodedata.normalize("NFKC", p.extract_text()) for p in printed.pages]
    assert "みなと区役所" in texts[0] and "鈴木 太郎" in texts[0] and "13:30" in texts[0]
    assert "あおば" in texts[1] and "一子商店" in texts[1] and "鈴木" not in texts[1]
    assert "印刷する" not in texts[0], "the screen's controls do not print"
    fonts = {name for sheet in printed.pages for name in font_names(sheet["/Resources"])}
    assert any("CJK" in font or "JP" in font for font in fonts), fonts


def test_the_reception_sheet_prints_a_page_per_venue_in_portrait(new_page, desk):
    page = new_page(viewport={"width": 1280, "height": 900})
    desk.desk.open(page, desk.people["operator"], "/bookings/reception")
    page.get_by_role("link", name="受付表を印刷（A4）").click()
    assert_accessible(page)
    shot(page, "reception-printed", media="print")
    printed = pdf_of(page)
    assert len(printed.pages) == 2, "a page per venue"
    width, height = (float(v) for v in printed.pages[0].mediabox.upper_right)
    assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297, "A4 portrait"
    texts = [unicodedata.normalize("NFKC", p.extract_text()) for p in printed.pages]
    assert "受付表" in texts[0] and "鈴木 太郎" in texts[0] and "当日来場" in texts[0]
    assert "一子商店" in texts[1]


@pytest.mark.parametrize(
    ("device", "width", "height"), [("phone", 390, 844), ("tablet", 768, 1024), ("desktop", 1280, 900)]
)
def test_reception_works_on_a_phone_a_tablet_and_a_desktop(new_page, desk, device, width, height):
    page = new_page(viewport={"width": width, "height": height}, has_touch=device != "desktop")
    desk.desk.open(page, desk.people["operator"], "/bookings/reception")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    heading = page.get_by_role("heading", name=re.compile("^みなと区役所 2階 会議室"))
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main h2')).lineHeight)")
    assert heading.bounding_box()["height"] < 2.5 * line, "a venue's name reads on one or two lines"
    visitor = page.get_by_role("row").filter(has_text="午後 三郎")
    name_box = visitor.locator(".visitor-name").bounding_box()
    assert name_box["width"] > 60, "a name is not one character per line"
    shot(page, f"reception-{device}")
    button = visitor.get_by_role("button", name="来場")
    if device == "desktop":
        button.click()
    else:
        button.tap()
    expect(visitor.locator(".mark")).to_have_text("来場")
    visitor.get_by_role("button", name="欠席に直す").click()
    expect(visitor.locator(".mark")).to_have_text("欠席")
    assert_accessible(page)
    shot(page, f"reception-{device}-marked")


def test_reception_refuses_a_day_to_come(new_page, desk):
    page = new_page(viewport={"width": 768, "height": 1024})
    desk.desk.open(page, desk.people["operator"], f"/bookings/reception?date={TOMORROW.isoformat()}")
    expect(page.get_by_role("status").filter(has_text="まだ来ていないため")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="取消 花子")).to_be_visible()
    expect(page.get_by_role("button", name="来場")).to_have_count(0)
    expect(page.get_by_role("heading", name="当日来場の受付")).to_have_count(0)
    assert_accessible(page)
    shot(page, "reception-tomorrow-tablet")


@pytest.mark.parametrize("typed", ["すずき", "ｽｽﾞｷ", "ベーカリー", "ひかりベーカ"])
def test_part_of_a_reading_or_business_name_finds_the_booking(new_page, desk, typed):
    page = new_page(viewport={"width": 1280, "height": 900})
    desk.desk.open(page, desk.people["operator"], "/intake/search")
    page.get_by_label("受付番号・電話番号・メールアドレス・名前・フリガナ").fill(typed)
    page.get_by_role("button", name="検索").click()
    results = page.get_by_role("table")
    expect(results).to_contain_text("鈴木 太郎")
    expect(results).to_contain_text("株式会社ひかりベーカリー")
    expect(results).not_to_contain_text("午後 三郎")
    assert_accessible(page)
    shot(page, f"search-{typed}")


def test_destructive_actions_ask_first_and_do_nothing_when_declined(new_page, desk):
    page = new_page(viewport={"width": 1280, "height": 900})
    desk.desk.open(page, desk.people["operator"], f"/intake/{desk.later_booking}/change")
    assert_accessible(page)
    cancel = page.get_by_role("button", name="予約を取り消す")
    assert "button-danger" in cancel.get_attribute("class")
    page.get_by_label("取り消しの理由").fill("ご本人から取り消しの電話")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    cancel.click()
    expect(page.get_by_label("取り消しの理由")).to_have_value("ご本人から取り消しの電話")
    assert asked and "元に戻せません" in asked[0]
    with desk.models.app_context():
        assert Booking.get_by_id(desk.later_booking).status == "confirmed", "declined: nothing happened"
    page.once("dialog", lambda dialog: dialog.accept())
    cancel.click()
    page.wait_for_url(re.compile(r"/intake/booked/\d+$"))
    expect(page.locator("main")).to_contain_text("取消")
    with desk.models.app_context():
        assert Booking.get_by_id(desk.later_booking).status == "cancelled"

    page.goto(f"{desk.base}/venues/{desk.venue}/patterns")
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text="10:00")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="削除").click()
    expect(row).to_have_count(0)
    shot(page, "patterns-after-delete")


def test_an_administrator_is_asked_before_suspending_an_account(new_page, desk):
    with desk.models.app_context():
        consultant = User.get(User.email == desk.people["consultant"].email)
    page = new_page(viewport={"width": 1280, "height": 900})
    desk.desk.open(page, desk.people["admin"], f"/admin/users/{consultant.id}")
    assert_accessible(page)
    shot(page, "admin-user")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="停止する").click()
    expect(page.get_by_role("button", name="停止する")).to_be_visible()
    with desk.models.app_context():
        assert User.get_by_id(consultant.id).disabled_at is None


CALLER = {
    "電話番号": "03-5555-0101",
    "ご担当者名": "鈴木 太郎",
    "フリガナ": "スズキ タロウ",
    "事業者名（屋号）": "株式会社ひかりベーカリー",
}


def test_without_javascript_the_slot_filter_keeps_the_caller(new_page, desk):
    page = new_page(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    desk.desk.open(page, desk.people["operator"], "/intake")
    for label, value in CALLER.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("日付").fill(TOMORROW.isoformat())
    page.get_by_role("button", name="この条件で探す").click()
    for label, value in CALLER.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    expect(page.get_by_role("radio")).to_have_count(1)
    expect(page.get_by_role("radio").first).to_have_accessible_name(re.compile("10:00.*みなと区役所"))
    expect(page.get_by_role("status").filter(has_text="同じ方の予約がすでにあります")).to_contain_text(
        "予約中"
    )
    assert_accessible_as_served(page)
    shot(page, "intake-filtered-no-js")


def test_without_javascript_a_repeat_caller_is_asked_about_before_booking(new_page, desk):
    page = new_page(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    desk.desk.open(page, desk.people["operator"], "/intake")
    page.get_by_role("radio").first.check()
    for label, value in CALLER.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="予約を確定する").click()
    warning = page.get_by_role("status").filter(has_text="同じ方の予約がすでにあります")
    expect(warning).to_contain_text("予約中")
    expect(warning).to_contain_text("「予約を確定する」をもう一度押してください")
    expect(page).to_have_url(f"{desk.base}/intake")
    assert_accessible_as_served(page)
    shot(page, "intake-repeat-caller-no-js")
    page.get_by_role("button", name="予約を確定する").click()
    page.wait_for_url(re.compile(r"/intake/booked/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("鈴木 太郎 様のご予約を承りました")
    assert_accessible_as_served(page)
    shot(page, "intake-booked")


def test_without_javascript_a_cancellation_has_its_own_confirmation_page(new_page, desk):
    with desk.models.app_context():
        booking = _seat(_session(Venue.get_by_id(desk.venue), TODAY + timedelta(days=9), 15), LATER).id
    page = new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    desk.desk.open(page, desk.people["operator"], f"/intake/{booking}/change")
    page.get_by_label("取り消しの理由").fill("会場の都合")
    page.get_by_role("button", name="予約を取り消す").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("予約を取り消しますか")
    expect(page.locator(".confirm-box")).to_contain_text("会場の都合")
    assert_accessible_as_served(page)
    shot(page, "confirm-cancel-phone-no-js")
    page.get_by_role("link", name="やめて戻る").click()
    with desk.models.app_context():
        assert Booking.get_by_id(booking).status == "confirmed"


@pytest.mark.parametrize("role", ["operator", "city", "consultant", "admin"])
def test_each_role_s_home_shows_what_waits_for_it(new_page, desk, role):
    page = new_page(viewport={"width": 1280, "height": 900})
    desk.desk.open(page, desk.people[role], "/")
    expect(
        page.get_by_role("navigation", name="メニュー").get_by_role("link", name="ホーム")
    ).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    assert_accessible(page)
    shot(page, f"home-{role}")
