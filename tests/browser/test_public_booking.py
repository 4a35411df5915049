"""A visitor books a consultation, moves and cancels it in a real browser; axe-core checks every page."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from portal.core.dates import business_today
from portal.core.models import ConsultationSession, Venue
from tests.browser.conftest import (
    assert_accessible,
    fill_booking_form,
    follow,
    new_instance,
    serve_public,
    staff_models,
)


@pytest.fixture(scope="module")
def live_public(tmp_path_factory):
    """The public instance with one session a week ahead."""
    instance, _ = new_instance(tmp_path_factory, "public-browser")
    with staff_models(instance).app_context():
        venue = Venue.create(
            name="架空区役所 会議室A",
            ward="架空区",
            address="架空市架空区1-1",
            access_notes="架空駅から徒歩5分",
            what_to_bring="決算書の写し",
        )
        for starts, capacity in ((10, 5), (13, 3)):
            ConsultationSession.create(
                venue=venue,
                date=business_today() + timedelta(days=7),
                starts_at=time(starts),
                ends_at=time(starts + 1),
                capacity=capacity,
            )
    with serve_public(instance) as base:
        yield base, business_today() + timedelta(days=7)


def test_a_visitor_books_and_cancels_online(page, live_public):
    live_public, day = live_public
    page.goto(f"{live_public}/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert_accessible(page)
    follow(page.get_by_role("link", name="ほかの日程を空き状況から探す"))
    assert_accessible(page)
    assert f"{day.year}年{day.month}月" in page.locator("#calendar h2").inner_text()
    follow(page.locator("tr", has_text="10:00–11:00").get_by_role("link", name="予約する"))
    assert_accessible(page)
    page.get_by_role("button", name="予約を申し込む").click()
    assert page.locator("#consent-errors").get_by_text("個人情報の取扱いへの同意が必要です").is_visible()
    assert_accessible(page)
    fill_booking_form(page, "架空商店", "山田 花子", "090-1234-5678", "持続化給付金")
    page.get_by_role("button", name="予約を申し込む").click()
    page.wait_for_url(f"{live_public}/booking/complete")
    reference = page.locator(".reference").inner_text()
    assert len(reference) == 9
    assert_accessible(page)
    follow(page.get_by_role("link", name="予約の確認・取り消し"))
    assert reference in page.locator("main").inner_text()
    assert "山田" not in page.content()
    assert_accessible(page)
    page.get_by_label("13:00–14:00").check()
    page.get_by_role("button", name="この日時に変更する").click()
    expect(page.locator("main")).to_contain_text("予約の日時を変更しました")
    assert "13:00–14:00" in page.locator("main dl").inner_text()
    assert_accessible(page)
    follow(page.get_by_role("link", name="この予約を取り消す"))
    assert_accessible(page)
    page.get_by_role("button", name="予約を取り消す").click()
    expect(page.locator("main")).to_contain_text("取り消し済み")


def test_the_calendar_works_with_the_keyboard_and_htmx(page, live_public):
    live_public, _ = live_public
    page.goto(f"{live_public}/calendar")
    page.get_by_role("link", name="次の月").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_public}/calendar?month=*")
    assert page.locator("#calendar").count() == 1
    assert_accessible(page)


def test_a_visitor_finds_a_venue_and_its_sessions(page, live_public):
    live_public, _ = live_public
    page.goto(f"{live_public}/")
    follow(page.get_by_role("link", name="会場一覧（行き方・持ち物）"))
    assert_accessible(page)
    follow(page.get_by_role("link", name="架空区役所 会議室A"))
    assert_accessible(page)
    main = page.locator("main").inner_text()
    assert "架空駅から徒歩5分" in main and "決算書の写し" in main and "0120-000-000" in main
    assert page.locator("iframe").count() == 0
    assert (
        page.get_by_role("link", name="地図を開く（外部のサイトに移動します）")
        .get_attribute("href")
        .startswith("https://")
    )
    page.get_by_role("link", name="予約する").first.click()
    page.wait_for_url(f"{live_public}/sessions/*")
    assert page.get_by_role("button", name="予約を申し込む").is_visible()
