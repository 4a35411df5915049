"""The staff home shows each role what waits for it today, and the menu marks the current page.

Written out again: the front desk sees the web requests to confirm, today's and tomorrow's sessions
and whether today's daily report is filed; a consultant sees their own sessions, the records they
have not written and their follow-ups due or overdue; a city user sees the accounts awaiting
approval and every follow-up; nobody's home page shows a visitor's details.
"""

from __future__ import annotations

import re
from datetime import timedelta

from portal.core.database import database
from portal.core.dates import business_today
from portal.core.models import ConsultationRecord, User
from portal.staff.accounts import change_role
from tests.conftest import admin_creates_user
from tests.front_desk import seat, session_at, venue
from tests.records_world import build, signed_in_as

TODAY = business_today()


def panels(page: str) -> dict[str, str]:
    """Each panel's heading and its text."""
    found = re.findall(
        r'<section class="panel[^"]*"[^>]*>\s*<h2 id="[^"]+">([^<]+)</h2>(.*?)</section>', page, re.S
    )
    return {heading: re.sub(r"<[^>]+>", " ", body) for heading, body in found}


def test_the_front_desk_sees_requests_sessions_and_the_daily_report(staff_app, signed_in, accounts):
    with staff_app.app_context():
        place = venue("架空区役所")
        seat(session_at(place, TODAY, 10), contact_name="本日 一子")
        seat(session_at(place, TODAY + timedelta(days=1), 10), contact_name="明日 二郎")
        later = session_at(place, TODAY + timedelta(days=4), 10)
        for name in ("網野 三咲", "網野 四郎"):
            seat(later, status="requested", channel="web", contact_name=name)
    page = signed_in("operator").get("/").text
    shown = panels(page)
    assert "確認待ち 2件" in shown["Web予約の確認"]
    assert "相談枠 1・予約 1件" in " ".join(shown["今日と明日の相談"].split())
    assert "今日の日報はまだ提出されていません" in shown["日報"]
    assert "承認待ちのアカウント" not in shown and "フォローアップ" not in shown
    for name in ("本日 一子", "明日 二郎", "網野"):
        assert name not in page, "counts only, nothing sealed opened"
    assert re.search(r'<a href="/" aria-current="page">ホーム</a>', page)
    assert 'aria-current="page"' not in page.split("ホーム</a>")[1].split("</nav>")[0]


def test_a_consultant_sees_own_sessions_records_to_write_and_follow_ups(staff_app):
    world = build(staff_app)
    with staff_app.app_context(), database.connection_context():
        ConsultationRecord.update(follow_up_due=TODAY - timedelta(days=1)).where(
            ConsultationRecord.id == world.record
        ).execute()
        ConsultationRecord.update(follow_up_due=TODAY + timedelta(days=3)).where(
            ConsultationRecord.id == world.other_record
        ).execute()
        session_at(venue("別の会場"), TODAY, 13, consultant=world.accounts["author"].id)
    author = signed_in_as(staff_app, world.accounts["author"])
    shown = panels(author.get("/").text)
    assert "まだ書いていない記録 1件" in shown["相談記録"]
    assert "期限切れ" in shown["フォローアップ"] and "1週間以内" not in shown["フォローアップ"], (
        "own records only"
    )
    assert "担当する相談" in shown
    assert "Web予約の確認" not in shown and "日報" not in shown
    city = signed_in_as(staff_app, world.accounts["city"])
    city_panels = panels(city.get("/").text)
    assert "期限切れ" in city_panels["フォローアップ"] and "1週間以内" in city_panels["フォローアップ"]
    listing = city.get("/records").text
    assert "badge-overdue" in listing and "badge-due" in listing


def test_a_city_user_still_sees_the_accounts_awaiting_approval(staff_app, signed_in, accounts):
    with staff_app.app_context():
        change_role(
            User.get_by_id(accounts["operator"].id), "consultant", User.get_by_id(accounts["admin"].id)
        )
    page = signed_in("city").get("/").text
    assert "承認待ちのアカウント" in panels(page)
    assert 'id="approvals"' in page and "operator@example.jp" in page


def test_every_role_has_the_same_header(signed_in):
    for role in ("city", "consultant", "operator", "admin"):
        header = signed_in(role).get("/").text.split("<main")[0]
        assert 'class="account-bar"' in header and 'class="staff-nav"' in header, role
        assert ">ログアウト</button>" in header and "ホーム</a>" in header, role
        assert re.search(r'<form method="post" action="/logout"[^>]* data-sign-out>', header), role
        assert '<a href="/account/sessions">ログイン中の端末</a>' in header, role


def test_one_s_own_sessions_page_is_marked_in_the_header_and_no_menu_entry_is(signed_in):
    header = signed_in("operator").get("/account/sessions").text.split("<main")[0]
    assert '<a href="/account/sessions" aria-current="page">ログイン中の端末</a>' in header
    assert 'aria-current="page"' not in header.split('class="staff-nav"')[1]


def test_an_administrator_sees_the_accounts_to_follow_up(staff_app, signed_in, accounts):
    admin = signed_in("admin")
    assert "対応が必要なアカウントはありません" in panels(admin.get("/").text)["アカウント"]
    admin_creates_user(admin, "fresh@example.jp", "consultant", "consultant org")
    shown = panels(admin.get("/").text)["アカウント"]
    assert "市職員の承認待ち 1件" in shown and "初回ログイン待ち 1件" in shown
