"""Destructive actions ask first: a dialog with JavaScript (hx-confirm), a page of its own without.

The rule written out again: cancelling a booking, declining a web request, deleting a record, an
attachment, a weekly slot or a holiday, suspending an account, resetting its second factor and
ending its sessions, and ending every account's sessions at once change nothing until the person
confirms; the confirmation page says what will happen, keeps what was typed, and offers a way back
that changes nothing. Their buttons are styled as destructive, never as the primary action.
"""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest

from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationRecord, Holiday, RecordAttachment, User, WeeklyPattern
from tests.conftest import csrf_from
from tests.front_desk import confirmation_form, seat, session_at, venue
from tests.records_world import PDF, build, signed_in_as, token, upload

CALLER = {"contact_name": "取消 花子", "business_name": "取消商店", "phone": "03-5555-0199"}


def asks_then_does(client, url: str, data: dict, done, page_of_buttons: str = "", headers=None):
    """Post as a browser without JavaScript: the answer is a confirmation page and nothing changed;
    posting that page's own form does it."""
    first = client.post(url, data=data, headers=headers or {})
    assert first.status_code == 200, first.text
    assert 'class="confirm-box"' in first.text and "やめて戻る" in first.text
    assert '<button type="submit" class="button-danger">' in first.text
    assert not done(), "nothing happens before the confirmation"
    action, form = confirmation_form(first.text)
    assert action == url and form["confirmed"] == "yes"
    for name, value in data.items():
        if name != "csrf_token":
            assert form[name] == value, "what was typed comes back in the confirmation"
    second = client.post(action, data=form)
    assert second.status_code in (200, 303)
    assert done()
    return first


def destructive_form(page: str, action: str) -> str:
    """The opening tag of the form posting to `action`, and the button it holds."""
    start = page.index(f'action="{action}"')
    return page[page.rindex("<form", 0, start) : page.index("</form>", start)]


def assert_asks_in_the_page(page: str, action: str) -> None:
    """The form asks with htmx's dialog, and its button looks destructive, not primary."""
    form = destructive_form(page, action)
    assert "hx-confirm=" in form and 'hx-vals=\'{"confirmed": "yes"}\'' in form
    assert re.search(r'<button type="submit" class="button-danger(-quiet)?"', form), form


def test_cancelling_a_booking_asks_first(staff_app, signed_in):
    operator = signed_in("operator")
    with staff_app.app_context():
        booking = seat(session_at(venue("架空区役所"), business_today() + timedelta(days=5), 10), **CALLER)
    url = f"/intake/{booking.id}/cancel"
    page = operator.get(f"/intake/{booking.id}/change")
    assert_asks_in_the_page(page.text, url)
    data = {"csrf_token": csrf_from(page.text), "reason": "ご本人から取り消しの電話"}

    def cancelled() -> bool:
        with staff_app.app_context():
            return Booking.get_by_id(booking.id).status == "cancelled"

    asked = asks_then_does(operator, url, data, cancelled)
    assert (
        booking.reference in asked.text
        and "取消 花子" in asked.text
        and "ご本人から取り消しの電話" in asked.text
    )
    assert f'href="/intake/{booking.id}/change"' in asked.text, "the way back"


def test_declining_a_web_request_asks_first_also_through_htmx_without_the_dialog(staff_app, signed_in):
    operator = signed_in("operator")
    with staff_app.app_context():
        session = session_at(venue("架空区役所"), business_today() + timedelta(days=5), 10)
        booking = seat(session, status="requested", channel="web", **CALLER)
    inbox = operator.get("/bookings/requests")
    url = f"/bookings/{booking.id}/decline"
    assert_asks_in_the_page(inbox.text, url)
    data = {"csrf_token": csrf_from(inbox.text), "reason": "会場の都合"}

    def declined() -> bool:
        with staff_app.app_context():
            return Booking.get_by_id(booking.id).status == "cancelled"

    asks_then_does(operator, url, data, declined)


def test_weekly_slots_and_holidays_are_removed_only_when_confirmed(staff_app, signed_in):
    city = signed_in("city")
    with staff_app.app_context():
        place = venue("架空区役所")
        pattern = WeeklyPattern.create(
            venue=place, weekday=0, starts_at=time(10), ends_at=time(11), capacity=4
        )
        holiday = Holiday.create(date=business_today() + timedelta(days=30), name="架空市の日")
    page = city.get(f"/venues/{place.id}/patterns")
    url = f"/venues/{place.id}/patterns/{pattern.id}/delete"
    assert_asks_in_the_page(page.text, url)

    def pattern_gone() -> bool:
        with staff_app.app_context():
            return not WeeklyPattern.select().where(WeeklyPattern.id == pattern.id).exists()

    asks_then_does(city, url, {"csrf_token": csrf_from(page.text)}, pattern_gone)
    calendar = city.get("/venues/calendar")
    holiday_url = f"/venues/holidays/{holiday.id}/delete"
    assert_asks_in_the_page(calendar.text, holiday_url)

    def holiday_gone() -> bool:
        with staff_app.app_context():
            return not Holiday.select().where(Holiday.id == holiday.id).exists()

    asks_then_does(city, holiday_url, {"csrf_token": csrf_from(calendar.text)}, holiday_gone)


@pytest.mark.parametrize(
    ("action", "done"),
    [
        ("status", lambda user: user.disabled_at is not None),
        ("second-factor/reset", lambda user: user.totp_secret is None),
        ("password/reset", lambda user: user.temporary_password_expires_at is not None),
        ("sessions/end", None),
    ],
)
def test_suspending_resetting_and_signing_out_an_account_ask_first(
    staff_app, signed_in, accounts, action, done
):
    victim = signed_in("operator")
    admin = signed_in("admin")
    user_id = accounts["operator"].id
    page = admin.get(f"/admin/users/{user_id}")
    url = f"/admin/users/{user_id}/{action}"
    assert_asks_in_the_page(page.text, url)

    def happened() -> bool:
        if done is None:
            return victim.get("/").status_code == 404
        with staff_app.app_context():
            return done(User.get_by_id(user_id))

    asked = asks_then_does(admin, url, {"csrf_token": csrf_from(page.text)}, happened)
    assert "operator@example.jp" in asked.text, "the page names whose account it is"


def test_ending_every_accounts_sessions_asks_first(signed_in):
    victim = signed_in("operator")
    admin = signed_in("admin")
    page = admin.get("/admin/users")
    url = "/admin/sessions/end-all"
    assert_asks_in_the_page(page.text, url)
    asked = asks_then_does(
        admin, url, {"csrf_token": csrf_from(page.text)}, lambda: victim.get("/").status_code == 404
    )
    assert 'href="/admin/users"' in asked.text, "the way back"
    assert admin.get("/").status_code == 200, "the administrator's own session stays"


def test_a_record_and_its_attachment_are_deleted_only_when_confirmed(staff_app):
    world = build(staff_app)
    author = signed_in_as(staff_app, world.accounts["author"])
    assert upload(author, world.record, PDF, "消す前の資料.pdf").status_code == 303
    with staff_app.app_context():
        attachment = RecordAttachment.get(RecordAttachment.record == world.record)
    page = author.get(f"/records/{world.record}")
    attachment_url = f"/records/{world.record}/attachments/{attachment.id}/delete"
    assert_asks_in_the_page(page.text, attachment_url)

    def file_gone() -> bool:
        with staff_app.app_context():
            return RecordAttachment.get_by_id(attachment.id).deleted_at is not None

    asked = asks_then_does(author, attachment_url, {"csrf_token": token(author)}, file_gone)
    assert "消す前の資料.pdf" in asked.text
    record_url = f"/records/{world.record}/delete"
    assert_asks_in_the_page(author.get(f"/records/{world.record}").text, record_url)

    def record_gone() -> bool:
        with staff_app.app_context():
            return ConsultationRecord.get_by_id(world.record).deleted_at is not None

    asks_then_does(
        author, record_url, {"csrf_token": token(author), "reason": "重複して作成したため"}, record_gone
    )
