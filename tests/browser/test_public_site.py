"""The public site as a citizen uses it, on a desktop (1280 px) and on a phone (390 px).

Each page visited is checked by axe-core; layout is measured in the browser (bounding boxes, line
boxes), not guessed from the HTML. With PORTAL_SCREENSHOTS=DIR set, every page visited is also
saved there as NAME-SIZE.png for a person to look at.
"""

from __future__ import annotations

import os
import re
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.core.dates import business_today
from portal.core.models import ConsultationSession, Venue
from tests.browser.conftest import (
    SignedIn,
    assert_accessible,
    fill_booking_form,
    follow,
    new_instance,
    serve_public,
    staff_models,
)

SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
SHOTS = os.environ.get("PORTAL_SCREENSHOTS")
BOOK = re.compile("^予約する")
WARDS = ("架空区", "架空西区", "架空北区")


def first_open_day() -> date:
    """Forty days on, a weekday: this month (and maybe the next) has nothing to book."""
    day = business_today() + timedelta(days=40)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Three venues in three wards, each holding sessions on the weekdays of four weeks from
    `first_open_day()`: the first venue three a day, one of them booked out on the first day."""
    instance, _env = new_instance(tmp_path_factory, "public-site")
    first = first_open_day()
    with staff_models(instance).app_context():
        venues = [
            Venue.create(
                name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1", what_to_bring="決算書"
            ),
            Venue.create(name="架空西区民センター", ward="架空西区", address="架空市架空西区2-2"),
            Venue.create(
                name="架空北区 産業振興会館 第二会議室", ward="架空北区", address="架空市架空北区3-3"
            ),
        ]
        hours = {venues[0]: (10, 13, 15), venues[1]: (10,), venues[2]: (13,)}
        for offset in range(28):
            day = first + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for venue, starts in hours.items():
                for hour in starts:
                    full = offset == 0 and hour == 15
                    ConsultationSession.create(
                        venue=venue,
                        date=day,
                        starts_at=time(hour),
                        ends_at=time(hour + 1, 30),
                        capacity=4,
                        taken=4 if full else 0,
                    )
    with serve_public(instance, booking_rate_limit="1000 per minute") as base:
        yield base


@pytest.fixture(params=list(SIZES))
def size(request) -> str:
    return request.param


@pytest.fixture
def visitor(new_page, size):
    """A visitor's browser at the size under test."""
    return new_page(**SIZES[size])


def look(page, size: str, name: str) -> None:
    """axe-core finds nothing on the page as it is now; the screenshot is kept when asked for."""
    assert_accessible(page)
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        # caret="initial": hiding the caret would inject a style sheet, which the CSP refuses.
        page.screenshot(path=f"{SHOTS}/{name}-{size}.png", full_page=True, caret="initial")


def month_heading(day: date) -> str:
    return f"{day.year}年{day.month}月"


def book_a_session(page, site: str, size: str | None = None) -> None:
    """From the front page to the confirmation page, by pointer."""
    page.goto(f"{site}/")
    page.get_by_role("link", name=BOOK).first.click()
    page.wait_for_url(f"{site}/sessions/*")
    fill_booking_form(page, "架空商店", "山田 花子", "090-1234-5678", "持続化給付金")
    if size:
        look(page, size, "session-filled")
    page.get_by_role("button", name="予約を申し込む").click()
    page.wait_for_url(f"{site}/booking/complete")


def test_the_first_page_offers_a_bookable_session_within_one_click(visitor, site, size):
    visitor.goto(f"{site}/")
    assert visitor.locator("html").get_attribute("lang") == "ja"
    look(visitor, size, "front")
    offered = visitor.get_by_role("link", name=BOOK)
    assert offered.count() >= 1
    offered.first.click()
    visitor.wait_for_url(f"{site}/sessions/*")
    expect(visitor.get_by_role("button", name="予約を申し込む")).to_be_visible()
    look(visitor, size, "session")

    visitor.goto(f"{site}/")
    visitor.get_by_role("link", name="ほかの日程を空き状況から探す").click()
    expect(visitor.get_by_role("heading", level=2, name=month_heading(first_open_day()))).to_be_visible()
    assert visitor.locator("#calendar").get_by_role("link", name=BOOK).count() > 0
    look(visitor, size, "calendar")

    visitor.goto(f"{site}/calendar?month={business_today():%Y-%m}")
    assert "この月に予約できる相談会はありません" in visitor.locator("main").inner_text()
    look(visitor, size, "calendar-empty-month")
    visitor.get_by_role("link", name=f"{month_heading(first_open_day())}の相談会を見る").click()
    expect(visitor.get_by_role("heading", level=2, name=month_heading(first_open_day()))).to_be_visible()
    assert visitor.locator("#calendar").get_by_role("link", name=BOOK).count() > 0


LINE_BOXES = """(elements) => elements.map((element) => {
  // The element's own text (a visually hidden addition excluded), and the line boxes it takes.
  const range = document.createRange();
  let text = "";
  const tops = new Set();
  for (const node of element.childNodes) {
    if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) continue;
    text += node.textContent.trim();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
  }
  const box = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  return {
    text, lines: tops.size, height: box.height, lineHeight: parseFloat(style.lineHeight),
    cell: style.display === "table-cell",
  };
})"""
# What must never wrap at all: headers, times, wards, places, the button, the month navigation.
ONE_LINE = ", ".join(
    (".sessions th", ".sessions .time", ".ward", ".places-left", ".sessions .button", ".full", ".month-nav *")
)


def test_no_text_in_the_calendar_wraps_one_character_per_line(visitor, site, size):
    visitor.goto(f"{site}/calendar")
    expect(visitor.get_by_role("heading", level=2, name=month_heading(first_open_day()))).to_be_visible()
    short = visitor.locator(ONE_LINE).evaluate_all(LINE_BOXES)
    assert len(short) > 20 and {"予約する", "満席", "時間", "架空区"} <= {item["text"] for item in short}
    for item in short:
        assert item["lines"] == 1, item
        if not item["cell"]:  # a cell is as tall as its row
            assert item["height"] < 2.2 * item["lineHeight"], item  # a button's padding, never a second line
    for item in visitor.locator("#calendar td, #calendar a, #calendar span, #calendar p").evaluate_all(
        LINE_BOXES
    ):
        if item["lines"] > 1:
            assert len(item["text"]) / item["lines"] >= 4, item
    width = visitor.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["viewport"]["width"], "nothing runs off the side"


def test_checkboxes_sit_beside_their_labels_and_the_focus_ring_hugs_the_box(visitor, site, size):
    visitor.goto(f"{site}/")
    follow(visitor.get_by_role("link", name=BOOK).first)
    boxes = visitor.locator("form input[type=checkbox]:not([tabindex='-1'])")
    assert boxes.count() == 6  # five programmes and the consent
    for index in range(boxes.count()):
        box = boxes.nth(index)
        mark = box.bounding_box()
        label = visitor.locator(f'label[for="{box.get_attribute("id")}"]').bounding_box()
        assert mark["width"] <= 32 and mark["height"] <= 32, mark
        gap = label["x"] - (mark["x"] + mark["width"])
        assert 0 <= gap <= 24, (mark, label)
        middle = mark["y"] + mark["height"] / 2
        assert label["y"] <= middle <= label["y"] + 32, (mark, label)
    consent = visitor.get_by_label("個人情報の取扱いに同意します")
    consent.focus()
    ring = consent.evaluate(
        "(el) => ({outline: getComputedStyle(el).outlineWidth, width: el.getBoundingClientRect().width})"
    )
    assert ring["width"] <= 32, ring
    link = visitor.get_by_role("link", name="個人情報の取扱いについて（新しいタブで開きます）")
    assert link.get_attribute("href") == "/privacy"
    visitor.goto(f"{site}/privacy")
    look(visitor, size, "privacy")


def test_a_visitor_books_with_the_keyboard_alone(new_page, site):
    page = new_page(**SIZES["desktop"])
    page.goto(f"{site}/")

    def tab_to(matches, most: int = 80) -> None:
        for _ in range(most):
            page.keyboard.press("Tab")
            if page.evaluate(matches):
                return
        raise AssertionError(f"the keyboard never reached {matches}")

    tab_to("document.activeElement.textContent.startsWith('予約する')")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/sessions/*")
    tab_to("document.activeElement.textContent === '予約を申し込む'")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    assert "事業者名（屋号）を入力してください" in summary.inner_text()
    look(page, "desktop", "session-errors")
    for field, typed in (
        ("business_name", "架空商店"),
        ("contact_name", "山田 花子"),
        ("phone", "0312345678"),
    ):
        tab_to(f"document.activeElement.id === '{field}'")
        page.keyboard.type(typed)
    for box in ("programmes-0", "consent"):
        tab_to(f"document.activeElement.id === '{box}'")
        page.keyboard.press("Space")
    tab_to("document.activeElement.textContent === '予約を申し込む'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/booking/complete")
    assert len(page.locator(".reference").inner_text()) == 9
    tab_to("document.activeElement.textContent === '予約の確認・取り消し'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/manage/*")
    tab_to("document.activeElement.textContent === 'この予約を取り消す'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site}/manage/*/cancel")
    tab_to("document.activeElement.textContent === '予約を取り消す'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("予約を取り消しました")


def test_the_confirmation_repeats_the_booking_and_cancelling_asks_then_confirms(visitor, site, size):
    book_a_session(visitor, site, size)
    main = visitor.locator("main").inner_text()
    reference = visitor.locator(".reference").inner_text()
    for said in (
        "日時",
        "会場",
        "架空区役所 会議室A",
        "メールアドレスの入力がなかったため",
        "一度しか表示されません",
    ):
        assert said in main, said
    assert re.search(r"/manage/[A-Za-z0-9_-]{20,}", main), "the link itself, to write down"
    look(visitor, size, "complete")

    follow(visitor.get_by_role("link", name="予約の確認・取り消し"))
    look(visitor, size, "manage")
    expect(visitor.get_by_role("link", name="カレンダーに登録する（iCalendar形式）")).to_be_visible()
    follow(visitor.get_by_role("link", name="この予約を取り消す"))
    expect(visitor.get_by_role("heading", level=1, name="この予約を取り消しますか")).to_be_visible()
    look(visitor, size, "cancel-ask")
    follow(visitor.get_by_role("link", name="取り消さずに戻る"))
    assert "受付済み" in visitor.locator("main dl").inner_text(), "going back cancels nothing"
    follow(visitor.get_by_role("link", name="この予約を取り消す"))
    visitor.get_by_role("button", name="予約を取り消す").click()
    expect(visitor.get_by_role("status")).to_have_text(f"予約を取り消しました（受付番号 {reference}）。")
    assert "取り消し済み" in visitor.locator("main dl").inner_text()
    assert visitor.get_by_role("link", name=re.compile("カレンダーに登録")).count() == 0
    assert visitor.get_by_role("link", name="この予約を取り消す").count() == 0
    look(visitor, size, "cancelled")


def _move_choices(page) -> list[str]:
    return page.locator("#move .move-choices label").all_inner_texts()


def test_the_move_list_is_short_and_narrows_by_ward_and_date_with_htmx(visitor, site, size):
    book_a_session(visitor, site)
    follow(visitor.get_by_role("link", name="予約の確認・取り消し"))
    first = _move_choices(visitor)
    assert 5 <= len(first) <= 20, first
    legend = visitor.locator("#move legend").inner_text()
    assert legend == "変更先の日時（架空区役所 会議室A）", "at first, the booking's own venue"
    assert any("満席" in label for label in first), "a booked-out session shows as full"
    assert visitor.locator("#move input[type=radio]:disabled").count() >= 1
    assert visitor.locator("#move").bounding_box()["height"] < 2600
    look(visitor, size, "manage-move")

    visitor.get_by_label("区", exact=True).select_option("架空西区")
    expect(visitor.locator("#move .move-choices label").first).to_contain_text("架空西区民センター")
    assert all("架空西区民センター" in label for label in _move_choices(visitor))
    assert "ward=" in visitor.url, "the narrowed list has an address of its own"
    day = first_open_day() + timedelta(days=1 if first_open_day().weekday() < 4 else 3)
    visitor.get_by_label("日付").fill(day.isoformat())
    visitor.get_by_label("日付").dispatch_event("change")
    expect(visitor.locator("#move .move-choices label")).to_have_count(1)
    expect(visitor.locator("#move .move-day")).to_contain_text(f"{day.year}年{day.month}月{day.day}日")
    look(visitor, size, "manage-move-narrowed")
    visitor.locator("#move .move-choices label").first.click()
    visitor.get_by_role("button", name="この日時に変更する").click()
    expect(visitor.get_by_role("status")).to_have_text("予約の日時を変更しました。")
    assert "架空西区民センター" in visitor.locator("main dl").inner_text()


def test_the_move_list_narrows_without_javascript(new_page, site):
    page = new_page(java_script_enabled=False, **SIZES["phone"])
    book_a_session(page, site)
    follow(page.get_by_role("link", name="予約の確認・取り消し"))
    page.get_by_label("区", exact=True).select_option("架空北区")
    page.get_by_label("会場", exact=True).select_option("")
    page.get_by_role("button", name="絞り込む").click()
    page.wait_for_url("**ward=*")
    choices = _move_choices(page)
    assert choices and all("架空北区 産業振興会館" in label for label in choices), choices


def test_a_visitor_who_lost_the_link_asks_for_it_again(visitor, site, size):
    visitor.goto(f"{site}/")
    follow(visitor.get_by_role("link", name="予約確認用のリンクをなくした方"))
    look(visitor, size, "lost-link")
    visitor.get_by_role("button", name="リンクの再送を申し込む").click()
    expect(visitor.locator(".error-summary")).to_contain_text("受付番号を入力してください")
    look(visitor, size, "lost-link-errors")
    visitor.get_by_label("受付番号").fill("7kqm 4xwd")
    visitor.get_by_label("予約のときに入力したメールアドレスまたは電話番号").fill("090-1234-5678")
    visitor.get_by_role("button", name="リンクの再送を申し込む").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("再送のお申し込みを受け付けました")
    look(visitor, size, "lost-link-sent")


def test_venue_pages_read_well(visitor, site, size):
    visitor.goto(f"{site}/venues")
    look(visitor, size, "venues")
    follow(visitor.get_by_role("link", name="架空北区 産業振興会館 第二会議室"))
    look(visitor, size, "venue")
    assert visitor.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["viewport"]["width"]


def test_the_site_has_an_icon(page, site):
    response = page.request.get(f"{site}/favicon.ico")
    assert response.status == 200 and response.headers["content-type"] in (
        "image/vnd.microsoft.icon",
        "image/x-icon",
    )
    assert response.body()[:4] == b"\x00\x00\x01\x00"


def test_staff_forms_share_the_checkbox_layout(new_page, live_staff):
    base, account = live_staff
    page = new_page(**SIZES["desktop"])
    SignedIn(base).open(page, account, "/intake")
    for box in page.locator("input[type=checkbox]").all():
        mark = box.bounding_box()
        label = page.locator(f'label[for="{box.get_attribute("id")}"]').bounding_box()
        assert mark["width"] <= 32 and 0 <= label["x"] - (mark["x"] + mark["width"]) <= 24, (mark, label)
