"""The staff side of reservations in a real browser: phone intake, the web-request inbox, venue
reception and the daily list, on real servers for both instances sharing one instance folder."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from flask import Flask
from playwright.sync_api import expect

from portal.core.dates import business_today
from portal.core.models import ConsultationSession, User, Venue
from portal.core.reservations import book
from portal.staff.people import FIELDS, sealed_with_indexes
from portal.staff.sessions import revoke_all
from tests.browser.conftest import (
    SignedIn,
    assert_accessible,
    create_account,
    fill_booking_form,
    new_instance,
    serve_public,
    serve_staff,
    staff_models,
    type_sign_in,
)
from tests.conftest import Account

CONSULTANTS = "架空県行政書士会"
STAFF = {
    "operator": ("operator@example.jp", "operator", "架空コールセンター株式会社"),
    "consultant_a": ("gyosei-a@example.jp", "consultant", CONSULTANTS),
    "consultant_b": ("gyosei-b@example.jp", "consultant", CONSULTANTS),
}
# Booked before the day starts: one seat in each of the day's sessions, one of the last two seats
# of a session the day after, and one in a session today (reception marks arrivals on the day).
SEATED = {
    "today": {"contact_name": "本日 五郎", "business_name": "五郎商店", "phone": "03-5555-0005"},
    "morning": {"contact_name": "相談 一子", "business_name": "一子商店", "phone": "0311110001"},
    "afternoon": {"contact_name": "別室 二郎", "business_name": "二郎工房", "phone": "0322220002"},
    "last_seat": {"contact_name": "先客 三郎", "business_name": "三郎食堂", "phone": "0333330003"},
}


@dataclass
class Centre:
    """The running support centre as the tests meet it."""

    staff: str
    public: str
    desk: SignedIn
    people: dict[str, Account]
    slots: dict[str, int]
    day: date
    later: date
    models: Flask


def _session(
    venue: Venue, day: date, hour: int, capacity: int, consultant: User | None = None
) -> ConsultationSession:
    """An hour's consultation."""
    return ConsultationSession.create(
        venue=venue,
        date=day,
        starts_at=time(hour),
        ends_at=time(hour + 1),
        capacity=capacity,
        consultant=consultant,
    )


def _seed(models: Flask, day: date, later: date) -> dict[str, int]:
    """Two venues; today's session; the day's morning and afternoon sessions, one per consultant;
    a nearly full session the day after; and a booking in each."""
    with models.app_context():
        ward_office = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        branch = Venue.create(name="北架空支所 相談室", ward="北架空区", address="架空市北架空区2-2")
        consultant = {key: User.get(User.email == STAFF[key][0]) for key in ("consultant_a", "consultant_b")}
        sessions = {
            "today": _session(ward_office, business_today(), 10, 6),
            "morning": _session(ward_office, day, 10, 6, consultant["consultant_a"]),
            "afternoon": _session(branch, day, 14, 6, consultant["consultant_b"]),
            "last_seat": _session(ward_office, later, 13, 2),
        }
        for key, person in SEATED.items():
            payload = {**dict.fromkeys(FIELDS, ""), **person}
            book(sessions[key].id, channel="phone", status="confirmed", **sealed_with_indexes(payload))
        return {key: session.id for key, session in sessions.items()}


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    """Both instances on one instance folder, with the staff made by `portal user create`."""
    instance, env = new_instance(tmp_path_factory, "staff-bookings")
    people = {key: create_account(env, *details) for key, details in STAFF.items()}
    models = staff_models(instance)
    day = business_today() + timedelta(days=3)
    later = day + timedelta(days=1)
    slots = _seed(models, day, later)
    with serve_staff(env) as staff, serve_public(instance) as public:
        yield Centre(staff, public, SignedIn(staff), people, slots, day, later, models)


def slot(day: date, starts: str = "", venue: str = "") -> re.Pattern:
    """A slot's radio button by its name: the day as people in Japan read it, the time, the venue."""
    return re.compile(rf"^{day.year}年{day.month}月{day.day}日\(.\) {starts}.*{venue}$")


def press(page, key: str, times: int = 1) -> None:
    """Press a key, as often as asked."""
    for _ in range(times):
        page.keyboard.press(key)


def tab_to(page, target, key: str = "Tab", limit: int = 12) -> None:
    """Move the focus with the keyboard until it reaches `target` (a date field takes a few stops
    of its own: month, day, year and its calendar button in chromium)."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        press(page, key)
    expect(target).to_be_focused()


def type_fields(page, *values: str) -> None:
    """Type into the focused field and the ones after it, moving on with Tab."""
    for value in values[:-1]:
        page.keyboard.type(value)
        press(page, "Tab")
    page.keyboard.type(values[-1])


def type_day(page, day: date) -> None:
    """Into the focused date field: the browsers here run in en-US, where it reads month, day, year.
    The slot filter asks for the list at each keystroke; htmx keeps the last answer."""
    page.keyboard.type(day.strftime("%m%d%Y"))
    expect(page.get_by_role("radio").first).to_have_accessible_name(slot(day))
    expect(page.get_by_role("radio").last).to_have_accessible_name(slot(day))


def test_an_operator_takes_calls_with_the_keyboard_alone(page, centre):
    page.goto(f"{centre.staff}/login")
    centre.desk.sign_in(page, centre.people["operator"])
    page.get_by_role("link", name="電話受付").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{centre.staff}/intake")

    # First call: the caller wants the afternoon on the day. The day field has the focus.
    expect(page.get_by_label("日付")).to_be_focused()
    type_day(page, centre.day)
    expect(page.get_by_role("radio")).to_have_count(2)
    tab_to(page, page.get_by_role("radio").first)
    press(page, "ArrowDown")
    expect(page.get_by_role("radio", name=slot(centre.day, "14:00", "北架空支所 相談室"))).to_be_checked()
    press(page, "Tab")
    expect(page.get_by_label("電話番号")).to_be_focused()
    type_fields(page, "03-5555-0101", "窓口 花子", "マドグチ ハナコ", "花子デザイン事務所")
    expect(page.get_by_label("事業者名（屋号）")).to_be_focused()
    press(page, "Enter")
    page.wait_for_url(re.compile(r"/intake/booked/\d+$"))
    first = page.locator(".reference").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", first)
    expect(page.locator("main")).to_contain_text("北架空支所 相談室")

    # Second call, the same caller: the phone number brings up the first booking. The caller then
    # asks for the day after; the slot list swaps and what was typed stays.
    expect(page.get_by_role("link", name="次の電話を受ける")).to_be_focused()
    press(page, "Enter")
    page.wait_for_url(f"{centre.staff}/intake")
    tab_to(page, page.get_by_label("電話番号"))
    page.keyboard.type("0355550101")
    press(page, "Tab")
    warning = page.get_by_role("status").filter(has_text="同じ方の予約がすでにあります")
    expect(warning).to_contain_text(first)
    assert_accessible(page)
    page.keyboard.type("窓口 花子")
    # Back past the day field (its month, day and year take a stop each) and into its month.
    tab_to(page, page.get_by_role("link", name="予約を探す・変更する"), "Shift+Tab")
    press(page, "Tab")
    expect(page.get_by_label("日付")).to_be_focused()
    type_day(page, centre.later)
    expect(page.get_by_label("電話番号")).to_have_value("0355550101")
    expect(page.get_by_label("ご担当者名")).to_have_value("窓口 花子")
    expect(warning).to_contain_text(first)
    tab_to(page, page.get_by_role("radio"))
    press(page, "Space")
    expect(page.get_by_role("radio", name=slot(centre.later, "13:00"))).to_be_checked()
    tab_to(page, page.get_by_label("フリガナ", exact=True))
    type_fields(page, "マドグチ ハナコ", "花子デザイン事務所")
    press(page, "Enter")
    page.wait_for_url(re.compile(r"/intake/booked/\d+$"))
    second = page.locator(".reference").inner_text()
    assert second != first

    # That was the last seat: the next caller hears it is full.
    press(page, "Enter")
    page.wait_for_url(f"{centre.staff}/intake")
    type_day(page, centre.later)
    expect(page.get_by_role("radio", name=slot(centre.later, "13:00"))).to_be_disabled()
    expect(page.locator("#slots")).to_contain_text("満席")

    # Both bookings are found again by the phone number, typed with hyphens.
    page.get_by_role("link", name="予約を探す・変更する").focus()
    press(page, "Enter")
    expect(page.get_by_label("受付番号・電話番号・メールアドレス・名前・フリガナ")).to_be_focused()
    page.keyboard.type("03-5555-0101")
    press(page, "Enter")
    results = page.get_by_role("table")
    expect(results).to_contain_text(first)
    expect(results).to_contain_text(second)
    expect(results.get_by_role("row")).to_have_count(3)
    assert_accessible(page)


# On a line that has booked before (the morning's first booking).
CALLER = {
    "電話番号": "03-1111-0001",
    "ご担当者名": "途中 保子",
    "フリガナ": "トチュウ ヤスコ",
    "事業者名（屋号）": "保子商会",
}


DRAFTS = "Object.keys(sessionStorage).filter(key => key.startsWith('draft:'))"


def draft_kept(page) -> str:
    """The intake's stored draft, once the page has sealed it (sealing takes a moment)."""
    page.wait_for_function("sessionStorage.getItem('draft:intake') !== null")
    assert page.evaluate(DRAFTS) == ["draft:intake"]
    return page.evaluate("sessionStorage.getItem('draft:intake')")


def type_caller(page, day: date) -> None:
    """A caller half-typed on the intake form, the repeat-caller check done."""
    page.get_by_role("radio", name=slot(day, "10:00")).check()
    for label, value in CALLER.items():
        page.get_by_label(label, exact=True).fill(value)
    press(page, "Tab")  # the repeat-caller check runs on leaving a field: let it finish
    expect(page.locator(".htmx-request")).to_have_count(0)


def test_a_half_typed_caller_survives_a_reload_and_goes_with_the_session(page, centre):
    operator = centre.people["operator"]
    centre.desk.open(page, operator, "/intake")
    type_caller(page, centre.day)
    warning = page.get_by_role("status").filter(has_text="同じ方の予約がすでにあります")
    expect(warning).to_contain_text("架空区役所 会議室A")
    stored = draft_kept(page)
    # Storage holds the caller sealed under this session's key, never readable.
    for value in (*CALLER.values(), "1111", "保子", "\\u4fdd"):
        assert value not in stored

    # A slow call: the page is reloaded, and the caller comes back, checked again for repeats.
    page.reload()
    for label, value in CALLER.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(value)
    expect(page.get_by_role("radio", name=slot(centre.day, "10:00"))).to_be_checked()
    expect(warning).to_contain_text("架空区役所 会議室A")

    # The session ends while the caller is still on the line (an administrator, or the idle
    # limit): the next page is the ended session's, and the caller's details leave the browser.
    with centre.models.app_context():
        revoke_all(User.get(User.email == operator.email))
    page.get_by_role("button", name="予約を確定する").click()
    expect(page.get_by_role("heading", name="ページが見つかりません")).to_be_visible()
    assert page.evaluate(DRAFTS) == []
    page.get_by_role("link", name="ログイン画面へ").click()
    centre.desk.sign_in(page, operator)
    expect(page).to_have_url(f"{centre.staff}/")
    page.get_by_role("link", name="電話受付").click()
    for label in CALLER:
        expect(page.get_by_label(label, exact=True)).to_have_value("")

    type_caller(page, centre.day)
    page.get_by_role("button", name="予約を確定する").click()
    page.wait_for_url(re.compile(r"/intake/booked/\d+$"))
    expect(page.locator(".reference")).to_have_text(re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}"))
    assert page.evaluate(DRAFTS) == []
    page.get_by_role("link", name="次の電話を受ける").click()
    for label in CALLER:
        expect(page.get_by_label(label, exact=True)).to_have_value("")
    for radio in page.get_by_role("radio").all():
        expect(radio).not_to_be_checked()


def test_signing_out_clears_the_draft_even_if_the_server_cannot_be_reached(page, centre):
    page.goto(f"{centre.staff}/login")
    type_sign_in(page, centre.people["operator"])  # a session of its own, which this test ends
    page.goto(f"{centre.staff}/intake")
    type_caller(page, centre.day)
    draft_kept(page)

    # The sign-out never reaches the server: the browser has let go of the caller all the same.
    page.route("**/logout", lambda route: route.fulfill(status=204))
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_label("ご担当者名", exact=True)).to_have_value(CALLER["ご担当者名"])
    assert page.evaluate(DRAFTS) == []

    page.unroute("**/logout")
    page.reload()  # the page knows nothing of the attempt: it keeps drafts again
    page.get_by_label("ご担当者名", exact=True).fill("途中 保子2")
    draft_kept(page)
    page.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(f"{centre.staff}/login")
    assert page.evaluate(DRAFTS) == []
    page.goto(f"{centre.staff}/intake")
    expect(page.get_by_role("heading", name="ページが見つかりません")).to_be_visible()


def test_the_idle_limit_clears_the_draft_in_the_browser_itself(page, centre):
    """When the idle limit passes the session is over on the server; the page does not wait to
    hear so from it."""
    page.clock.install()
    centre.desk.open(page, centre.people["operator"], "/intake")
    type_caller(page, centre.day)
    draft_kept(page)
    page.clock.run_for("29:00")
    expect(page.get_by_role("alert").filter(has_text="まもなく自動的にログアウトします")).to_be_visible()
    assert page.evaluate(DRAFTS) == ["draft:intake"]
    page.clock.run_for("01:01")
    assert page.evaluate(DRAFTS) == []
    page.get_by_label("ご担当者名", exact=True).fill("途中 保子3")
    assert page.evaluate(DRAFTS) == [], "nothing more is kept once the session is over"


def test_a_web_request_is_confirmed_in_the_inbox_and_the_visitor_sees_it(new_page, centre):
    visitor = new_page()
    visitor.goto(f"{centre.public}/sessions/{centre.slots['afternoon']}")
    fill_booking_form(visitor, "ウェブ商店", "網野 三咲", "045-777-0303", "融資")
    visitor.get_by_role("button", name="予約を申し込む").click()
    reference = visitor.locator(".reference").inner_text()
    visitor.get_by_role("link", name="予約の確認・取り消し").click()
    status = visitor.locator("dt:has-text('状態') + dd")
    expect(status).to_have_text("受付済み（確認中）")

    operator = new_page()
    centre.desk.open(operator, centre.people["operator"], "/bookings/requests")
    request = operator.get_by_role("article").filter(has_text=reference)
    expect(request).to_contain_text("網野 三咲")
    assert_accessible(operator)
    operator.evaluate("window.sameDocument = true")
    request.get_by_role("button", name="確定する").click()
    expect(request).to_have_text(f"受付番号 {reference} を確定しました。")
    assert operator.evaluate("window.sameDocument") is True, "htmx swapped the request in place"

    visitor.reload()
    expect(status).to_have_text("確定")


def test_reception_checks_a_visitor_in_with_one_click_and_seats_a_walk_in(page, centre):
    centre.desk.open(page, centre.people["operator"], "/bookings/reception")
    assert_accessible(page)
    visitor = page.get_by_role("row").filter(has_text=SEATED["today"]["contact_name"])
    page.evaluate("window.sameDocument = true")
    visitor.get_by_role("button", name="来場").click()
    expect(visitor.get_by_role("button", name="来場")).to_have_count(0)
    expect(visitor.locator("strong")).to_have_text("来場")
    expect(visitor.get_by_role("button", name="欠席")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True, "htmx swapped the row in place"

    session = page.get_by_role("group", name=re.compile("^10:00 架空区役所 会議室A"))
    places = int(re.search(r"残り(\d+)席", session.locator("legend").inner_text()).group(1))
    session.get_by_label("ご担当者名").fill("飛込 四郎")
    session.get_by_label("事業者名（屋号）").fill("四郎農園")
    session.get_by_role("button", name="当日来場を追加").click()
    walk_in = page.get_by_role("row").filter(has_text="飛込 四郎")
    expect(walk_in.locator("strong")).to_have_text("来場")
    expect(session.locator("legend")).to_contain_text(f"残り{places - 1}席")


@pytest.mark.parametrize(
    ("consultant", "own", "other"),
    [("consultant_a", "morning", "afternoon"), ("consultant_b", "afternoon", "morning")],
)
def test_a_consultant_sees_only_their_own_sessions_and_no_front_desk(page, centre, consultant, own, other):
    day = centre.day.isoformat()
    centre.desk.open(page, centre.people[consultant], f"/bookings/daily?date={day}")
    expect(page.get_by_role("table")).to_contain_text(SEATED[own]["contact_name"])
    expect(page.locator("main")).not_to_contain_text(SEATED[other]["contact_name"])
    expect(page.get_by_role("navigation").get_by_role("link", name="電話受付")).to_have_count(0)
    for path in ("/intake", f"/bookings/reception?date={day}"):
        response = page.goto(f"{centre.staff}{path}")
        assert response.status == 404
        expect(page.get_by_role("heading", name="ページが見つかりません")).to_be_visible()
