"""The waiting list end to end in Chromium, on a desktop and on a phone: a visitor joins a full
session's waiting list, its place frees, the operator offers it from the inbox, the visitor
accepts through the emailed link, and `portal notify waiting-list` mails the booking's manage link.
Both instances are real servers on one instance folder; mail goes to a real SMTP server. axe-core
checks every page on the way."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from flask import Flask
from playwright.sync_api import expect

from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession, Venue
from portal.core.reservations import book, cancel
from portal.staff.people import FIELDS, sealed_with_indexes
from tests.browser.conftest import (
    SignedIn,
    create_account,
    new_instance,
    serve_public,
    serve_staff,
    staff_models,
)
from tests.browser.test_public_site import SIZES, look
from tests.conftest import Account, service_missing
from tests.servers import portal_command
from tests.smtp import Inbox, smtp_server


@dataclass
class Centre:
    """Both instances, the operator, the mail the centre sent, and the rows behind them."""

    public: str
    desk: SignedIn
    operator: Account
    inbox: Inbox
    env: dict
    models: Flask


@pytest.fixture(scope="module")
def centre(tmp_path_factory):
    instance, env = new_instance(tmp_path_factory, "waiting-list")
    operator = create_account(env, "operator@example.jp", "operator", "架空コールセンター株式会社")
    with contextlib.ExitStack() as stack:
        try:
            inbox = stack.enter_context(smtp_server())
        except (ImportError, OSError, RuntimeError) as error:
            service_missing("the SMTP test server (aiosmtpd)", error)
        public = stack.enter_context(serve_public(instance, booking_rate_limit="1000 per minute"))
        staff_env = {
            **env,
            "PORTAL_PUBLIC_URL": public,  # where the emailed links lead
            **{f"PORTAL_{name}": str(value) for name, value in inbox.settings.items()},
        }
        staff = stack.enter_context(serve_staff(staff_env))
        yield Centre(public, SignedIn(staff), operator, inbox, staff_env, staff_models(instance))


def full_session(models: Flask, day: date) -> tuple[int, int]:
    """A session of one place, taken by a phone booking: the session and that booking."""
    with models.app_context():
        venue, _ = Venue.get_or_create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        session = ConsultationSession.create(
            venue=venue, date=day, starts_at=time(10), ends_at=time(11, 30), capacity=1
        )
        caller = {**dict.fromkeys(FIELDS, ""), "business_name": "先客商店", "contact_name": "先客 一郎"}
        holder = book(session.id, channel="phone", status="confirmed", **sealed_with_indexes(caller))
    return session.id, holder.booking.id


def newest_link(inbox: Inbox, to: str, path: str) -> str:
    """The link to the public site's `path` in the newest message to `to`."""
    return re.search(r"(http://\S+" + path + r"\S+)", inbox.to(to)[-1].get_content()).group(1)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_waiting_list_offers_a_freed_place_and_the_visitor_accepts_it(new_page, centre, size):
    day = business_today() + timedelta(days=10 + list(SIZES).index(size))
    session_id, holder = full_session(centre.models, day)
    email = f"machida-{size}@example.jp"

    # The session is full: it says so, and leads onto its waiting list.
    visitor = new_page(**SIZES[size])
    visitor.goto(f"{centre.public}/sessions/{session_id}")
    expect(visitor.locator("main")).to_contain_text("この回は満席です")
    expect(visitor.get_by_role("button", name="予約を申し込む")).to_have_count(0)
    look(visitor, size, "session-full")
    visitor.get_by_role("link", name="キャンセル待ちに登録する").click()
    visitor.wait_for_url(f"{centre.public}/sessions/{session_id}/waiting")
    look(visitor, size, "waiting-form")
    visitor.get_by_role("button", name="キャンセル待ちに登録する").click()
    expect(visitor.get_by_role("alert")).to_contain_text("メールアドレスを入力してください。")
    look(visitor, size, "waiting-form-errors")
    visitor.get_by_label("事業者名（屋号）").fill("待機商店")
    visitor.get_by_label("ご担当者名").fill("待田 一郎")
    visitor.get_by_label("メールアドレス", exact=True).fill(email)
    visitor.get_by_label("融資").check()
    visitor.get_by_label("この会場の同じ週のほかの回でもよい").check()
    visitor.get_by_label("個人情報の取扱いに同意します").check()
    visitor.get_by_role("button", name="キャンセル待ちに登録する").click()
    visitor.wait_for_url(f"{centre.public}/waiting/registered")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("キャンセル待ちの登録を受け付けました")
    look(visitor, size, "waiting-registered")

    # The booking holding the place is cancelled; the operator sees the waiting list first.
    with centre.models.app_context():
        cancel(Booking.get_by_id(holder))
    operator = new_page(**SIZES[size])
    centre.desk.open(operator, centre.operator, "/bookings/requests")
    waiting = operator.get_by_role("article").filter(has_text="待機商店")
    expect(waiting).to_contain_text(email)
    expect(waiting).to_contain_text("空きが出ました")
    look(operator, size, "inbox-waiting-list")
    operator.evaluate("window.sameDocument = true")
    waiting.get_by_role("button", name="空きを案内する").click()
    expect(operator.get_by_role("status").filter(has_text="空きを案内しました")).to_be_visible()
    assert operator.evaluate("window.sameDocument") is True, "htmx swapped the request in place"
    look(operator, size, "inbox-offered")

    # The visitor answers through the emailed link: the place is theirs.
    visitor.goto(newest_link(centre.inbox, email, "/waiting/"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text("キャンセル待ちの空きのご案内")
    expect(visitor.locator("main dl")).to_contain_text(f"{day.year}年{day.month}月{day.day}日")
    look(visitor, size, "offer")
    offer_link = visitor.url
    visitor.get_by_role("button", name="この枠で予約する").click()
    visitor.wait_for_url(f"{centre.public}/waiting/answered")
    expect(visitor.get_by_role("status")).to_contain_text("予約が確定しました")
    look(visitor, size, "offer-accepted")

    # The staff zone's timer mails the booking with its manage link.
    swept = portal_command("notify", "waiting-list", env=centre.env)
    assert swept.returncode == 0 and "1 confirmed" in swept.stdout, swept.stdout + swept.stderr
    visitor.goto(newest_link(centre.inbox, email, "/manage/"))
    expect(visitor.locator("dt:has-text('状態') + dd")).to_have_text("確定")
    look(visitor, size, "manage-after-waiting")
    visitor.goto(offer_link)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("このご案内は有効ではありません")
    look(visitor, size, "offer-gone")
