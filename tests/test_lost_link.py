"""A lost manage link, asked for again with the reference and the email or phone given when booking.

The public site answers the same whatever was typed (it cannot read the request back); the staff
zone's `portal notify manage-links` mails the link only to the email a matching booking holds.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

import pytest

from portal.core.dates import business_today
from portal.core.models import AuditEvent, Booking, ConsultationSession, ManageLinkRequest, PublicEvent, Venue
from tests.conftest import change_settings, csrf_from
from tests.servers import free_port
from tests.test_reservations import form_data

PUBLIC_URL = "https://yoyaku.example.jp"
EMAIL, PHONE = "hanako@example.jp", "090-1234-5678"


@pytest.fixture
def config(config, smtp):
    """Every instance in this module mails through the test server."""
    return {**config, **smtp.settings, "PUBLIC_URL": PUBLIC_URL}


@pytest.fixture
def session_id(public_app) -> int:
    with public_app.app_context():
        venue = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        return ConsultationSession.create(
            venue=venue,
            date=business_today() + timedelta(days=7),
            starts_at=time(10),
            ends_at=time(11),
            capacity=5,
        ).id


def book(app, session_id: int, **changes) -> tuple[str, str]:
    """A web booking as a visitor makes it; returns its reference and manage path."""
    visitor = app.test_client()
    response = visitor.post(f"/sessions/{session_id}", data=form_data(visitor, session_id, **changes))
    assert response.status_code == 303
    done = visitor.get("/booking/complete").text
    reference = re.search(r'class="reference">([^<]+)<', done).group(1)
    return reference, "/manage/" + done.split('href="/manage/')[1].split('"')[0]


@pytest.fixture
def booked(public_app, session_id, smtp) -> tuple[str, str]:
    """One web booking with an email; its confirmation is cleared from the inbox."""
    made = book(public_app, session_id)
    smtp.messages.clear()
    return made


def ask(app, reference: str, contact: str, address: str = "198.51.100.7"):
    """Fill in the lost-link form from one address; returns the answer, redirects followed."""
    visitor = app.test_client()
    page = visitor.get("/manage/lost")
    response = visitor.post(
        "/manage/lost",
        data={"csrf_token": csrf_from(page.text), "reference": reference, "contact": contact},
        environ_base={"REMOTE_ADDR": address},
    )
    assert response.status_code == 303, response.text
    return visitor.get(response.headers["Location"])


def test_the_public_answer_is_the_same_whether_or_not_the_details_match(public_app, booked):
    reference, _ = booked
    answers = [
        ask(public_app, reference, EMAIL),
        ask(public_app, reference.lower().replace("-", " "), "０９０１２３４５６７８"),
        ask(public_app, reference, "someone@example.jp"),
        ask(public_app, "ZZZZ-ZZZZ", EMAIL),
    ]
    assert {answer.request.path for answer in answers} == {"/manage/lost/sent"}
    assert len({answer.data for answer in answers}) == 1
    assert "一致した場合" in answers[0].text and "0120-000-000" in answers[0].text
    with public_app.app_context():
        assert ManageLinkRequest.select().count() == 4
        logged = PublicEvent.select().where(PublicEvent.action == "manage_link.request")
        assert logged.count() == 4 and all(e.outcome == "ok" for e in logged)


def test_the_link_is_mailed_only_when_the_details_match_and_only_to_the_bookings_own_email(
    public_app, staff_app, portal_cli, booked, session_id, smtp
):
    reference, manage = booked
    other_reference, _ = book(public_app, session_id, email="", phone="03-1111-2222")
    smtp.messages.clear()
    ask(public_app, reference, "someone-else@example.jp")  # wrong contact
    ask(public_app, "ZZZZ-ZZZZ", EMAIL)  # no such booking
    ask(public_app, other_reference, "0311112222")  # matches, but that booking has no email
    ask(public_app, reference, "ＨＡＮＡＫＯ@example.jp ")  # matches, typed differently

    result = portal_cli("notify", "manage-links")
    assert result.exit_code == 0, result.output
    assert "1 sent, 3 not sent, 0 failed" in result.output
    [message] = smtp.messages
    assert message["To"] == EMAIL and reference in message["Subject"]
    body = message.get_content()
    assert f"{PUBLIC_URL}{manage}" in body and "架空区役所 会議室A" in body
    for personal in ("架空商店", "山田", "09012345678", "someone-else"):
        assert personal not in body
    with staff_app.app_context():
        assert ManageLinkRequest.select().count() == 0, "every request is handled once, then removed"
        checks = sorted(
            e.outcome for e in AuditEvent.select().where(AuditEvent.action == "manage_link.check")
        )
        assert checks == ["no-email", "unmatched", "unmatched"]
        mailed = AuditEvent.get(AuditEvent.action == "mail.manage_link")
        assert (mailed.outcome, mailed.object_id) == (
            "ok",
            str(Booking.get(Booking.reference == reference).id),
        )
        assert AuditEvent.select().where(AuditEvent.action == "public.manage_link.request").count() == 4

    ask(public_app, reference, PHONE)
    assert portal_cli("notify", "manage-links").exit_code == 0
    assert len(smtp.messages) == 1, "asking again within the hour sends nothing more"


def test_a_link_the_smtp_server_refused_is_sent_by_the_next_run(
    public_app, staff_app, portal_cli, booked, smtp
):
    reference, _ = booked
    ask(public_app, reference, PHONE)
    change_settings(staff_app, smtp_port=free_port())
    result = portal_cli("notify", "manage-links")
    assert result.exit_code == 1 and "0 sent, 0 not sent, 1 failed" in result.output
    with staff_app.app_context():
        assert ManageLinkRequest.select().count() == 1
    change_settings(staff_app, smtp_port=smtp.port)
    assert portal_cli("notify", "manage-links").exit_code == 0
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_public_store_holds_the_request_only_sealed(public_app, booked, stores, config):
    reference, _ = booked
    contact = "lost-link-canary@example.jp"
    ask(public_app, reference, contact)
    with public_app.app_context():
        [row] = ManageLinkRequest.select()
    assert contact.encode() not in bytes(row.sealed) and reference.encode() not in bytes(row.sealed)
    store = Path(stores.public_file)
    files = [store, *store.parent.glob(store.name + "-*")]  # the write-ahead log too
    assert all(contact.encode() not in f.read_bytes() for f in files if f.exists())
    assert not (Path(config["INSTANCE_PATH"]) / "public" / "seal.key").exists()


def test_a_mistyped_reference_or_empty_contact_comes_back_with_what_to_do(public_app):
    visitor = public_app.test_client()
    page = visitor.get("/manage/lost")
    response = visitor.post(
        "/manage/lost", data={"csrf_token": csrf_from(page.text), "reference": "7KQM-4XW", "contact": ""}
    )
    assert response.status_code == 200
    assert "受付番号は 7KQM-4XWD のように、英数字8文字で入力してください。" in response.text
    assert "予約のときに入力したメールアドレスまたは電話番号を入力してください。" in response.text
    assert 'value="7KQM-4XW"' in response.text and 'class="error-summary"' in response.text
    with public_app.app_context():
        assert ManageLinkRequest.select().count() == 0


def test_asking_again_and_again_from_one_address_is_rate_limited(public_app, booked):
    reference, _ = booked
    visitor = public_app.test_client()
    token = csrf_from(visitor.get("/manage/lost").text)
    statuses = [
        visitor.post(
            "/manage/lost", data={"csrf_token": token, "reference": reference, "contact": PHONE}
        ).status_code
        for _ in range(7)
    ]
    assert statuses == [303] * 5 + [429, 429]
    assert ask(public_app, reference, PHONE, address="192.0.2.99").status_code == 200, (
        "others are not affected"
    )
    with public_app.app_context():
        assert ManageLinkRequest.select().count() == 6
