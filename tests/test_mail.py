"""Emails through a real local SMTP server: the confirmation, the reminder and the daily-list notice.

They carry only what the recipient needs and a link; a mail failure never costs a booking.
"""

from __future__ import annotations

import logging
import re
from datetime import date, time, timedelta

import pytest

from portal.core.dates import business_today
from portal.core.models import AuditEvent, Booking, ConsultationSession, ListNotice, PublicEvent, User, Venue
from portal.core.reservations import cancel
from tests.conftest import change_settings, csrf_from, make_account
from tests.servers import free_port
from tests.test_reservations import form_data

PERSONAL = ("架空商店", "山田", "09012345678", "090-1234-5678", "0901234", "hanako@example.jp")
PUBLIC_URL = "https://yoyaku.example.jp"
STAFF_URL = "https://madoguchi.example.jp"


@pytest.fixture
def config(config, smtp):
    """Every instance in this module sends through the test server."""
    return {**config, **smtp.settings, "PUBLIC_URL": PUBLIC_URL, "STAFF_URL": STAFF_URL}


@pytest.fixture
def tomorrow(public_app):
    """A venue with a session tomorrow and one the day after."""
    with public_app.app_context():
        venue = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        day = business_today() + timedelta(days=1)
        ids = [
            ConsultationSession.create(
                venue=venue, date=d, starts_at=time(10), ends_at=time(11), capacity=5
            ).id
            for d in (day, day + timedelta(days=1))
        ]
    return ids


def book(app, session_id: int, **changes) -> str:
    """A web request as a visitor makes it; returns the manage path shown on the confirmation page."""
    visitor = app.test_client()
    response = visitor.post(f"/sessions/{session_id}", data=form_data(visitor, session_id, **changes))
    assert response.status_code == 303
    done = visitor.get("/booking/complete").text
    return "/manage/" + done.split('href="/manage/')[1].split('"')[0]


def manage_link(text: str) -> str:
    match = re.search(re.escape(PUBLIC_URL) + r"(/manage/[A-Za-z0-9_-]+)", text)
    assert match, text
    return match.group(1)


def assert_no_personal_data(message) -> None:
    body = message.get_content()
    for secret in PERSONAL:
        assert secret not in body and secret not in message["Subject"], secret


def test_a_web_request_with_an_email_gets_a_confirmation_with_its_manage_link(public_app, tomorrow, smtp):
    manage = book(public_app, tomorrow[0])
    [message] = smtp.messages
    with public_app.app_context():
        booking = Booking.get()
    assert message["To"] == "hanako@example.jp" and message["From"] == "madoguchi@example.jp"
    assert message["Auto-Submitted"] == "auto-generated"
    assert (
        "ご予約のお申し込みを受け付けました" in message["Subject"] and booking.reference in message["Subject"]
    )
    body = message.get_content()
    assert booking.reference in body and "架空区役所 会議室A" in body and "10:00" in body
    assert manage_link(body) == manage
    assert_no_personal_data(message)
    page = public_app.test_client().get(manage_link(body))
    assert page.status_code == 200 and booking.reference in page.text
    with public_app.app_context():
        sent = PublicEvent.get(PublicEvent.action == "mail.confirmation")
        assert (sent.outcome, sent.object_id) == ("ok", str(booking.id))


def test_no_email_no_confirmation_and_a_repeat_submission_sends_none(public_app, tomorrow, smtp):
    book(public_app, tomorrow[0], email="")
    assert smtp.messages == []
    visitor = public_app.test_client()
    data = form_data(visitor, tomorrow[0])
    visitor.post(f"/sessions/{tomorrow[0]}", data=data)
    visitor.post(f"/sessions/{tomorrow[0]}", data=data)
    assert len(smtp.messages) == 1


def test_the_confirmation_is_in_the_visitors_language(public_app, tomorrow, smtp):
    visitor = public_app.test_client()
    visitor.set_cookie("lang", "en")
    visitor.post(f"/sessions/{tomorrow[0]}", data=form_data(visitor, tomorrow[0]))
    [message] = smtp.messages
    assert message["Subject"].isascii() and "Reference: " in message.get_content()


@pytest.mark.parametrize("fault", ["ConnectionRefusedError", "SMTPDataError"])
def test_an_smtp_server_that_is_down_does_not_lose_the_booking(public_app, tomorrow, smtp, caplog, fault):
    if fault == "ConnectionRefusedError":
        change_settings(public_app, smtp_port=free_port())
    smtp.refusing = True
    with caplog.at_level(logging.DEBUG):
        manage = book(public_app, tomorrow[0])
    assert public_app.test_client().get(manage).status_code == 200
    with public_app.app_context():
        booking = Booking.get()
        assert booking.status == "requested" and ConsultationSession.get_by_id(tomorrow[0]).taken == 1
        failed = PublicEvent.get(PublicEvent.action == "mail.confirmation")
        assert (failed.outcome, failed.object_id) == ("failed", str(booking.id))
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")  # not the test server's
    assert f"confirmation mail not sent: {fault}" in ours and smtp.messages == []
    for secret in (*PERSONAL, manage.split("/")[-1]):
        assert secret not in ours


def test_reminders_go_once_to_tomorrows_bookings_with_an_email(
    public_app, staff_app, portal_cli, tomorrow, smtp
):
    first = book(public_app, tomorrow[0])
    book(public_app, tomorrow[0], email="")
    book(public_app, tomorrow[1], email="later@example.jp")
    book(public_app, tomorrow[0], email="cancelled@example.jp")
    with public_app.app_context():
        cancel(Booking.select().order_by(Booking.id.desc()).first())
    smtp.messages.clear()

    result = portal_cli("notify", "reminders")
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 failed" in result.output
    [message] = smtp.messages
    assert message["To"] == "hanako@example.jp"
    with staff_app.app_context():
        booking = Booking.get(Booking.session == tomorrow[0], Booking.status == "requested")
        assert booking.reminder_sent_on == business_today()
        assert booking.reference in message["Subject"]
        opened = AuditEvent.select().where(AuditEvent.action == "booking.remind")
        assert sorted(int(e.object_id) for e in opened) == sorted(
            b.id
            for b in Booking.select().where(Booking.session == tomorrow[0], Booking.status != "cancelled")
        )
    body = message.get_content()
    assert "架空区役所 会議室A" in body and "10:00" in body and booking.reference in body
    assert manage_link(body) == first
    assert public_app.test_client().get(manage_link(body)).status_code == 200
    assert_no_personal_data(message)

    again = portal_cli("notify", "reminders")
    assert again.exit_code == 0 and "0 sent" in again.output and len(smtp.messages) == 1
    day_after = (business_today() + timedelta(days=2)).isoformat()
    later = portal_cli("notify", "reminders", "--date", day_after)
    assert later.exit_code == 0 and [m["To"] for m in smtp.messages[1:]] == ["later@example.jp"]


def test_a_reminder_the_server_refused_is_sent_by_the_next_run(
    public_app, staff_app, portal_cli, tomorrow, smtp
):
    book(public_app, tomorrow[0])
    smtp.messages.clear()
    change_settings(staff_app, smtp_port=free_port())
    result = portal_cli("notify", "reminders")
    assert result.exit_code == 1 and "0 sent, 1 failed" in result.output
    with staff_app.app_context():
        assert Booking.get().reminder_sent_on is None
        assert AuditEvent.get(AuditEvent.action == "mail.reminder").outcome == "failed"
    change_settings(staff_app, smtp_port=smtp.port)
    assert portal_cli("notify", "reminders").exit_code == 0
    assert len(smtp.messages) == 1


@pytest.fixture
def staffed_day(staff_app, accounts, tomorrow):
    """Tomorrow's session has the consultant; a second consultant has none; a city user is disabled."""
    make_account(staff_app, "consultant", organisation="架空行政書士会", email="free@example.jp")
    away = make_account(staff_app, "city", organisation="city org", email="away@example.jp")
    with staff_app.app_context():
        ConsultationSession.update(consultant=accounts["consultant"].id).where(
            ConsultationSession.id == tomorrow[0]
        ).execute()
        User.update(disabled_at=date(2020, 1, 1)).where(User.id == away.id).execute()
    return (business_today() + timedelta(days=1)).isoformat()


def test_the_daily_list_notice_goes_once_to_the_city_and_the_days_consultants(
    public_app, staff_app, portal_cli, accounts, staffed_day, tomorrow, smtp
):
    book(public_app, tomorrow[0])
    smtp.messages.clear()
    result = portal_cli("notify", "daily-list")
    assert result.exit_code == 0, result.output
    assert sorted(m["To"] for m in smtp.messages) == ["city@example.jp", "consultant@example.jp"]
    for message in smtp.messages:
        body = message.get_content()
        assert f"{STAFF_URL}/bookings/daily?date={staffed_day}" in body
        assert_no_personal_data(message)
        with staff_app.app_context():
            assert Booking.get().reference not in body + message["Subject"]
    with staff_app.app_context():
        assert ListNotice.get(ListNotice.day == date.fromisoformat(staffed_day))
    again = portal_cli("notify", "daily-list", "--date", staffed_day)
    assert again.exit_code == 0 and "already sent" in again.output and len(smtp.messages) == 2


def test_the_front_desk_sends_the_notice_from_the_daily_list(staff_app, signed_in, staffed_day, smtp):
    consultant = signed_in("consultant")
    page = consultant.get(f"/bookings/daily?date={staffed_day}")
    assert "いま通知する" not in page.text
    token = csrf_from(page.text)
    assert (
        consultant.post("/bookings/daily/notice", data={"csrf_token": token, "date": staffed_day}).status_code
        == 404
    )
    operator = signed_in("operator")
    page = operator.get(f"/bookings/daily?date={staffed_day}")
    token = csrf_from(page.text)
    assert "いま通知する" in page.text
    response = operator.post("/bookings/daily/notice", data={"csrf_token": token, "date": staffed_day})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/bookings/daily?date={staffed_day}"
    page = operator.get(response.headers["Location"])
    assert (
        "通知を2件送信しました" in page.text
        and "送信済みです" in page.text
        and "いま通知する" not in page.text
    )
    operator.post("/bookings/daily/notice", data={"csrf_token": token, "date": staffed_day})
    assert len(smtp.messages) == 2
    assert operator.post("/bookings/daily/notice", data={"csrf_token": token, "date": "x"}).status_code == 404


def test_a_notice_nobody_received_can_be_sent_again(staff_app, portal_cli, staffed_day, smtp):
    change_settings(staff_app, smtp_port=free_port())
    failed = portal_cli("notify", "daily-list")
    assert failed.exit_code == 1 and "0 sent, 2 failed" in failed.output
    with staff_app.app_context():
        assert ListNotice.select().count() == 0


def test_the_commands_refuse_to_run_without_mail(staff_app, portal_cli):
    change_settings(staff_app, smtp_host="")
    for command in ("reminders", "daily-list"):
        result = portal_cli("notify", command)
        assert result.exit_code == 2 and "PORTAL_SMTP_HOST" in result.output


def test_a_header_cannot_be_injected_through_an_address(staff_app, smtp):
    from portal.core import mail

    with staff_app.app_context(), pytest.raises(mail.MailError):
        mail.compose("hanako@example.jp\r\nBcc: everyone@example.jp", "件名", "本文")
    assert smtp.messages == []


def test_the_smtp_password_stays_out_of_the_settings_repr(tmp_path):
    from portal.core.settings import load_settings

    settings = load_settings("staff", {"INSTANCE_PATH": tmp_path, "SMTP_PASSWORD": "s3cret-smtp"})
    assert settings.smtp_password == "s3cret-smtp" and "s3cret-smtp" not in repr(settings)


def test_the_confirmation_page_says_whether_the_email_went_out(public_app, tomorrow, smtp):
    def confirmation() -> str:
        visitor = public_app.test_client()
        response = visitor.post(f"/sessions/{tomorrow[1]}", data=form_data(visitor, tomorrow[1]))
        assert response.status_code == 303
        return visitor.get("/booking/complete").text

    assert "受付番号・日時・会場と予約の確認用リンクをお送りしました" in confirmation()
    smtp.refusing = True
    refused = confirmation()
    assert "お知らせをお送りできませんでした" in refused and "お送りしました" not in refused
