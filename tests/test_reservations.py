"""Public booking: the calendar, the form, sealing, capacity under contention, managing a booking."""

from __future__ import annotations

import base64
import json
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta

import pytest
from flask import session
from itsdangerous import base64_decode
from nacl.public import PrivateKey, SealedBox
from peewee import IntegrityError

from portal import create_app
from portal.core import reservations
from portal.core.dates import TOKYO, business_today
from portal.core.models import Booking, ConsultationSession, PublicEvent, Venue
from portal.core.models.reservations import BookingStatus, Channel
from portal.core.reservations import (
    SessionFull,
    before_cutoff,
    book,
    bookings_with_places,
    cancel,
    cancellable,
    change_deadline,
    confirm,
    find_by_manage_secret,
    find_by_reference,
    move,
    new_manage_secret,
    open_sessions,
)
from portal.public import confirmation
from tests.conftest import consent_to_exports, csrf_from, public_config, statements_run

FORM = {
    "business_name": "架空商店",
    "contact_name": "山田 花子",
    "phone": "０９０－１２３４－５６７８",
    "email": "hanako@example.jp",
    "programmes": ["jizokuka", "yushi"],
    "consent": "y",
}


@pytest.fixture
def consultation(public_app):
    """One open session a week ahead with five places."""
    with public_app.app_context():
        venue = Venue.create(
            name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1", access_notes="駅から徒歩5分"
        )
        created = ConsultationSession.create(
            venue=venue,
            date=business_today() + timedelta(days=7),
            starts_at=time(10, 0),
            ends_at=time(11, 0),
            capacity=5,
        )
        return created.id


def form_data(client, session_id: int, **changes) -> dict:
    page = client.get(f"/sessions/{session_id}")
    key = page.text.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    return {**FORM, "csrf_token": csrf_from(page.text), "idempotency_key": key, **changes}


def test_calendar_pages_are_cacheable_and_lead_to_the_form(public_app, consultation):
    client = public_app.test_client()
    month = (business_today() + timedelta(days=7)).strftime("%Y-%m")
    page = client.get(f"/calendar?month={month}")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert "csrf" not in page.text and f'href="/sessions/{consultation}"' in page.text
    assert "残り5席" in page.text
    fragment = client.get(f"/calendar?month={month}&ward=架空区", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="calendar"') and "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    front = client.get("/").text
    assert f'href="/sessions/{consultation}"' in front and 'href="/calendar"' in front


def test_a_web_booking_is_sealed_and_only_the_staff_key_opens_it(public_app, consultation, config):
    client = public_app.test_client()
    response = client.post(f"/sessions/{consultation}", data=form_data(client, consultation))
    assert response.status_code == 303 and response.headers["Location"] == "/booking/complete"
    done = client.get("/booking/complete")
    with public_app.app_context():
        booking = Booking.get()
        assert (booking.status, booking.channel, booking.programmes) == ("requested", "web", "jizokuka,yushi")
        assert ConsultationSession.get_by_id(consultation).taken == 1
    assert booking.reference in done.text and "<form" not in done.text.split("</header>")[1]
    assert "/manage/" in done.text
    for value in ("架空商店", "山田", "09012345678", "hanako@example.jp"):
        assert value.encode() not in bytes(booking.sealed)
    private = PrivateKey((config["INSTANCE_PATH"] / "keys" / "seal.key").read_bytes())
    opened = json.loads(SealedBox(private).decrypt(bytes(booking.sealed)))
    assert f'/manage/{opened.pop("manage_secret")}"' in done.text
    assert opened == {
        "business_name": "架空商店",
        "contact_name": "山田 花子",
        "contact_kana": "",
        "phone": "09012345678",
        "email": "hanako@example.jp",
    }
    assert client.get("/booking/complete").headers["Location"] == "/calendar", "shown once"


def test_validation_errors_keep_what_was_typed(public_app, consultation):
    client = public_app.test_client()
    data = form_data(client, consultation, phone="12345", consent="")
    page = client.post(f"/sessions/{consultation}", data=data)
    assert page.status_code == 200
    assert "電話番号は" in page.text and "同意が必要です" in page.text
    assert 'value="架空商店"' in page.text and 'value="hanako@example.jp"' in page.text
    with public_app.app_context():
        assert Booking.select().count() == 0


def test_a_double_submitted_form_makes_one_booking(public_app, consultation):
    client = public_app.test_client()
    data = form_data(client, consultation)
    assert client.post(f"/sessions/{consultation}", data=data).status_code == 303
    assert client.post(f"/sessions/{consultation}", data=data).status_code == 303
    done = client.get("/booking/complete")
    assert done.status_code == 200 and "/manage/" in done.text, "the first answer's link survives"
    assert client.post(f"/sessions/{consultation}", data=data).status_code == 303
    again = client.get("/booking/complete")
    assert again.status_code == 200 and "すでに受け付けています" in again.text
    with public_app.app_context():
        assert Booking.select().count() == 1
        assert ConsultationSession.get_by_id(consultation).taken == 1


PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow, noarchive"}


def test_the_booking_form_and_its_answers_stay_out_of_caches(public_app, consultation):
    client = public_app.test_client()
    form = client.get(f"/sessions/{consultation}")
    assert "Set-Cookie" in form.headers and 'name="csrf_token"' in form.text
    assert form.headers["Cache-Control"] == "no-store"
    invalid = client.post(f"/sessions/{consultation}", data=form_data(client, consultation, consent=""))
    assert invalid.status_code == 200 and invalid.headers["Cache-Control"] == "no-store"
    assert client.post(f"/sessions/{consultation}", data=form_data(client, consultation)).status_code == 303
    done = client.get("/booking/complete")
    assert done.status_code == 200 and "/manage/" in done.text
    assert {name: done.headers.get(name) for name in PRIVATE} == PRIVATE


def read_cookie(value: str) -> str:
    """A Flask session cookie read without the key, as anyone holding it can: it is signed, not encrypted."""
    compressed = value.startswith(".")
    data = base64_decode(value.lstrip(".").split(".")[0])
    return (zlib.decompress(data) if compressed else data).decode()


def test_the_manage_secret_is_never_readable_in_the_cookie(public_app, consultation):
    client = public_app.test_client()
    booked = client.post(f"/sessions/{consultation}", data=form_data(client, consultation))
    assert booked.status_code == 303
    readable = read_cookie(client.get_cookie("madoguchi-public").value)
    done = client.get("/booking/complete").text
    secret = done.split('href="/manage/')[1].split('"')[0]
    reference = done.split('class="reference">')[1].split("<")[0]
    assert confirmation.SESSION_KEY in json.loads(readable)
    assert secret not in readable and reference not in readable


def test_a_kept_confirmation_expires(public_app, consultation, monkeypatch):
    client = public_app.test_client()
    assert client.post(f"/sessions/{consultation}", data=form_data(client, consultation)).status_code == 303
    monkeypatch.setattr(confirmation, "LIFETIME_SECONDS", 0)
    late = client.get("/booking/complete")
    assert late.status_code == 303 and late.headers["Location"] == "/calendar"


def test_only_the_instance_that_sealed_a_confirmation_opens_it(public_app, config):
    kept = confirmation.Confirmation("W-0001", "manage-secret", "sent")
    with public_app.test_request_context():
        confirmation.keep(kept)
        sealed = session[confirmation.SESSION_KEY]
        assert confirmation.peek() == kept
    other = create_app("public", {**public_config(config), "SECRET_KEY": "x" * 40, "TESTING": True})
    with other.test_request_context():
        session[confirmation.SESSION_KEY] = sealed
        assert confirmation.peek() is None


def test_the_honeypot_books_nothing(public_app, consultation):
    client = public_app.test_client()
    response = client.post(
        f"/sessions/{consultation}", data=form_data(client, consultation, website="http://spam.example")
    )
    assert response.status_code == 303 and response.headers["Location"] == "/calendar"
    with public_app.app_context():
        assert Booking.select().count() == 0
        assert ConsultationSession.get_by_id(consultation).taken == 0
        events = [(e.action, e.outcome, e.object_id) for e in PublicEvent.select()]
    assert events == [("booking.honeypot", "refused", str(consultation))]
    assert client.post(f"/sessions/{consultation}", data=form_data(client, consultation)).status_code == 303
    with public_app.app_context():
        assert Booking.select().count() == 1, "the same form without the trap books"


def test_fifty_simultaneous_requests_for_five_places_book_exactly_five(public_app, consultation):
    clients = [public_app.test_client() for _ in range(50)]
    forms = [form_data(c, consultation) for c in clients]

    def attempt(index: int) -> str:
        visitor = {"REMOTE_ADDR": f"192.0.2.{index + 1}"}  # fifty different visitors
        response = clients[index].post(f"/sessions/{consultation}", data=forms[index], environ_base=visitor)
        if response.status_code == 303:
            return "booked"
        return "full" if "この回は満席になりました" in response.text else f"{response.status_code}"

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert sorted(outcomes) == ["booked"] * 5 + ["full"] * 45
    with public_app.app_context():
        assert Booking.select().count() == 5
        assert ConsultationSession.get_by_id(consultation).taken == 5
    page = clients[0].get(f"/calendar?month={(business_today() + timedelta(days=7)).strftime('%Y-%m')}")
    assert "満席" in page.text


def test_the_manage_link_shows_the_booking_and_cancels_it_after_asking(public_app, consultation):
    client = public_app.test_client()
    client.post(f"/sessions/{consultation}", data=form_data(client, consultation))
    done = client.get("/booking/complete").text
    manage_url = "/manage/" + done.split('href="/manage/')[1].split('"')[0]
    page = client.get(manage_url)
    assert "受付済み" in page.text and "架空区役所" in page.text and "山田" not in page.text
    asked = client.get(f"{manage_url}/cancel")
    assert "この予約を取り消しますか" in asked.text
    response = client.post(f"{manage_url}/cancel", data={"csrf_token": csrf_from(asked.text)})
    assert response.status_code == 303
    assert "取り消し済み" in client.get(manage_url).text
    with public_app.app_context():
        assert ConsultationSession.get_by_id(consultation).taken == 0
    assert client.get("/manage/not-a-real-secret").status_code == 404


def test_past_closed_and_unknown_sessions_are_not_bookable(public_app):
    with public_app.app_context():
        venue = Venue.create(name="過去の会場", ward="架空区", address="-")
        past = ConsultationSession.create(
            venue=venue, date=date(2020, 6, 15), starts_at=time(10), ends_at=time(11), capacity=5
        )
        closed = ConsultationSession.create(
            venue=venue,
            date=business_today() + timedelta(days=3),
            starts_at=time(10),
            ends_at=time(11),
            capacity=5,
            status="closed",
        )
    client = public_app.test_client()
    assert client.get(f"/sessions/{past.id}").status_code == 404
    assert client.get(f"/sessions/{closed.id}").status_code == 404
    assert client.get("/sessions/999999").status_code == 404


def test_a_valid_request_for_a_session_the_pages_do_not_offer_books_nothing(public_app, consultation):
    """The form is sent straight to the seat: the seat itself refuses what session_or_404 hides."""
    with public_app.app_context():
        offered = ConsultationSession.get_by_id(consultation)
        retired = Venue.create(name="閉鎖した会場", ward="架空区", address="-", active=False)
        hidden = {
            "past": dict(venue=offered.venue, date=business_today() - timedelta(days=1)),
            "closed": dict(venue=offered.venue, date=offered.date + timedelta(days=1), status="closed"),
            "retired venue": dict(venue=retired, date=offered.date),
        }
        ids = {
            why: ConsultationSession.create(starts_at=time(10), ends_at=time(11), capacity=5, **fields).id
            for why, fields in hidden.items()
        }
    client = public_app.test_client()
    for why, session_id in {**ids, "unknown": 999999}.items():
        data = form_data(client, consultation, business_name=f"架空商店 {why}")
        assert client.post(f"/sessions/{session_id}", data=data).status_code == 404, why
    with public_app.app_context():
        assert Booking.select().count() == 0
        assert [s.taken for s in ConsultationSession.select().order_by(ConsultationSession.id)] == [0] * 4
        offered.date = business_today()  # today's sessions are still offered
        offered.save()
    assert client.post(f"/sessions/{consultation}", data=form_data(client, consultation)).status_code == 303


def test_a_booking_flood_from_one_address_is_rate_limited(public_app, consultation):
    client = public_app.test_client()
    responses = []
    for _ in range(7):
        data = form_data(client, consultation, phone="0312345678", consent="")  # invalid: books nothing
        responses.append(client.post(f"/sessions/{consultation}", data=data))
    assert [r.status_code for r in responses] == [200] * 5 + [429, 429]
    assert responses[-1].headers["Retry-After"] == "60", "the refusal says to wait the limit's window"
    counted = [name for r in responses[:5] for name in r.headers.keys() if name.startswith("X-RateLimit")]
    assert counted == [], "a form post is answered without asking the counter's store for headers"
    other = public_app.test_client()
    response = other.post(
        f"/sessions/{consultation}",
        data=form_data(other, consultation),
        environ_base={"REMOTE_ADDR": "192.0.2.99"},
    )
    assert response.status_code == 303, "another visitor is not affected"


def test_an_anonymous_crawler_finds_no_personal_data_and_the_sitemap_lists_public_pages(
    public_app, consultation
):
    from tests.crawling import crawl

    visitor = public_app.test_client()
    visitor.post(f"/sessions/{consultation}", data=form_data(visitor, consultation))
    crawler = public_app.test_client()
    sitemap = crawler.get("/sitemap.xml").text
    assert "/calendar" in sitemap and "/manage/" not in sitemap and "/booking/" not in sitemap
    assert "/sessions/" not in sitemap
    pages = crawl(crawler, limit=200)
    for path, text in pages.items():
        for secret in ("架空商店", "山田", "09012345678", "090-1234-5678", "hanako@example.jp"):
            assert secret not in text, path
    assert any(p.startswith("/sessions/") for p in pages) and any(p.startswith("/calendar") for p in pages)


@pytest.fixture
def requested(public_app, consultation):
    """A web request waiting in the inbox; returns its manage URL."""
    visitor = public_app.test_client()
    visitor.post(f"/sessions/{consultation}", data=form_data(visitor, consultation))
    done = visitor.get("/booking/complete").text
    return "/manage/" + done.split('href="/manage/')[1].split('"')[0]


def test_only_the_front_desk_opens_web_requests_and_each_opening_is_audited(staff_app, signed_in, requested):
    from portal.core.models import AuditEvent

    for role in ("consultant", "admin"):
        assert signed_in(role).get("/bookings/requests").status_code == 404
    page = signed_in("operator").get("/bookings/requests")
    assert page.status_code == 200
    assert "架空商店" in page.text and "山田 花子" in page.text and "09012345678" in page.text
    with staff_app.app_context():
        booking = Booking.get()
        views = AuditEvent.select().where(
            AuditEvent.action == "booking.view", AuditEvent.object_id == str(booking.id)
        )
        assert views.count() == 1


def test_confirm_and_decline_with_a_reason_the_visitor_reads(
    staff_app, public_app, signed_in, requested, consultation
):
    operator = signed_in("operator")
    token = csrf_from(operator.get("/").text)
    with staff_app.app_context():
        booking = Booking.get()
    response = operator.post(
        f"/bookings/{booking.id}/decline",
        data={"reason": "当日は会場が使えなくなりました", "confirmed": "yes"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200 and "お断りしました" in response.text and "<html" not in response.text
    page = public_app.test_client().get(requested)
    assert "取り消し済み" in page.text and "当日は会場が使えなくなりました" in page.text
    with staff_app.app_context():
        assert ConsultationSession.get_by_id(consultation).taken == 0
    assert operator.post(f"/bookings/{booking.id}/confirm", data={"csrf_token": token}).status_code == 404


def test_confirming_without_javascript_returns_to_the_inbox(staff_app, public_app, signed_in, requested):
    city = signed_in("city")
    token = csrf_from(city.get("/").text)
    with staff_app.app_context():
        booking = Booking.get()
    response = city.post(f"/bookings/{booking.id}/confirm", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/bookings/requests"
    assert "確定" in public_app.test_client().get(requested).text


def test_daily_lists_scope_consultants_and_neutralise_exports(
    staff_app, public_app, signed_in, accounts, consultation
):
    import csv
    import io

    from openpyxl import load_workbook

    consent_to_exports(staff_app, accounts["city"].id)

    from portal.core.models import AuditEvent
    from tests.conftest import make_account

    other = make_account(staff_app, "consultant", organisation="別の行政書士会", email="other@example.jp")
    with staff_app.app_context():
        first = ConsultationSession.get_by_id(consultation)
        first.consultant = accounts["consultant"].id
        first.save()
        second = ConsultationSession.create(
            venue=first.venue,
            date=first.date,
            starts_at=time(13),
            ends_at=time(14),
            capacity=5,
            consultant=other.id,
        )
        day = first.date.isoformat()
    hostile = '=HYPERLINK("http://evil.example","開く")'
    for session_id, name in ((consultation, "架空商店"), (second.id, hostile)):
        visitor = public_app.test_client()
        visitor.post(f"/sessions/{session_id}", data=form_data(visitor, session_id, business_name=name))

    own = signed_in("consultant").get(f"/bookings/daily?date={day}")
    assert own.status_code == 200 and "架空商店" in own.text and "HYPERLINK" not in own.text
    city = signed_in("city")
    page = city.get(f"/bookings/daily?date={day}")
    assert "架空商店" in page.text and "HYPERLINK" in page.text
    exported = city.get(f"/bookings/daily.csv?date={day}")
    assert exported.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"), newline="")))
    assert "'" + hostile in [row[4] for row in rows[1:-1]], "the last line names the exporter"
    workbook = load_workbook(io.BytesIO(city.get(f"/bookings/daily.xlsx?date={day}").data))
    names = [row[4].value for row in workbook.active.iter_rows(min_row=2)]
    assert "'" + hostile in names and all(
        cell.data_type == "s" for cell in next(workbook.active.iter_rows(min_row=2))
    )
    assert signed_in("admin").get(f"/bookings/daily?date={day}").status_code == 404
    with staff_app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "booking.export").count() == 4


def test_reception_checks_visitors_in_with_one_click(
    staff_app, public_app, signed_in, requested, consultation
):
    from portal.core.models import AuditEvent

    with staff_app.app_context():
        booking = Booking.get()
        # Reception marks arrivals on the consultation day itself: the day has come.
        ConsultationSession.update(date=business_today()).where(
            ConsultationSession.id == booking.session_id
        ).execute()
        day = business_today().isoformat()
    operator = signed_in("operator")
    page = operator.get(f"/bookings/reception?date={day}")
    assert page.status_code == 200 and "架空商店" in page.text and booking.reference in page.text
    token = csrf_from(page.text)
    row = operator.post(
        f"/bookings/reception/{booking.id}/attended", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert row.status_code == 200 and row.text.lstrip().startswith("<tr") and "来場" in row.text
    again = operator.post(f"/bookings/reception/{booking.id}/no-show", data={"csrf_token": token})
    assert again.status_code == 303
    with staff_app.app_context():
        assert Booking.get_by_id(booking.id).status == "no-show"
        assert AuditEvent.select().where(AuditEvent.action == "booking.attended").count() == 1
    assert signed_in("consultant").get(f"/bookings/reception?date={day}").status_code == 404
    assert (
        operator.post(f"/bookings/reception/{booking.id}/gone", data={"csrf_token": token}).status_code == 404
    )


@pytest.fixture
def seats(public_app):
    """Two sessions of five places a week ahead, and three bookings in the first: one by phone,
    one from the web with a manage link, one web request waiting for staff."""
    with public_app.app_context():
        venue = Venue.create(name="架空区役所 会議室B", ward="架空区", address="-")
        day = business_today() + timedelta(days=7)
        first, second = (
            ConsultationSession.create(
                venue=venue, date=day, starts_at=time(hour), ends_at=time(hour + 1), capacity=5
            )
            for hour in (10, 14)
        )
        phone = book(first.id, channel=Channel.PHONE, status=BookingStatus.CONFIRMED).booking
        linked = book(
            first.id, channel=Channel.WEB, status=BookingStatus.CONFIRMED, manage_secret=new_manage_secret()
        ).booking
        waiting = book(first.id, channel=Channel.WEB, status=BookingStatus.REQUESTED).booking
        yield {"first": first, "second": second, "phone": phone, "linked": linked, "waiting": waiting}


def taken(*sessions) -> list[int]:
    return [ConsultationSession.get_by_id(s.id).taken for s in sessions]


def status_of(booking) -> str:
    return Booking.get_by_id(booking.id).status


def test_moving_a_booking_moves_that_one_and_its_seat_only(seats):
    first, second, phone, linked = seats["first"], seats["second"], seats["phone"], seats["linked"]
    Booking.update(reminder_sent_on=business_today()).execute()
    assert move(phone, second.id)
    assert (phone.session.id, phone.session.date) == (second.id, second.date)
    assert taken(first, second) == [2, 1]
    moved, kept = Booking.get_by_id(phone.id), Booking.get_by_id(linked.id)
    assert (moved.session_id, moved.manage_valid_until, moved.reminder_sent_on) == (second.id, None, None)
    assert (kept.session_id, kept.reminder_sent_on) == (first.id, business_today())
    assert move(linked, second.id)
    assert Booking.get_by_id(linked.id).manage_valid_until == second.date


def test_a_booking_not_holding_a_seat_or_already_there_does_not_move(seats):
    first, second, phone, linked = seats["first"], seats["second"], seats["phone"], seats["linked"]
    assert move(phone, first.id) is False
    assert cancel(linked)
    assert move(linked, second.id) is False
    assert taken(first, second) == [2, 0]
    assert Booking.get_by_id(linked.id).session_id == first.id


def test_cancelling_gives_back_one_seat_once_and_touches_no_other_booking(seats):
    first, linked, waiting = seats["first"], seats["linked"], seats["waiting"]
    assert cancel(linked, reason="都合により")
    assert cancel(linked) is False
    assert taken(first) == [2]
    assert [status_of(b) for b in (seats["phone"], linked, waiting)] == [
        "confirmed",
        "cancelled",
        "requested",
    ]


def test_only_a_waiting_request_is_confirmed(seats):
    linked, waiting = seats["linked"], seats["waiting"]
    assert cancel(linked)
    assert confirm(linked) is False and status_of(linked) == "cancelled"
    assert confirm(waiting) and status_of(waiting) == "confirmed"
    assert confirm(waiting) is False


def test_a_booking_is_found_by_its_own_reference_or_link_with_its_place_in_one_statement(seats, monkeypatch):
    secret = new_manage_secret()
    made = book(seats["second"].id, channel=Channel.WEB, status=BookingStatus.REQUESTED, manage_secret=secret)
    run = statements_run(monkeypatch)
    found = find_by_reference(made.booking.reference)
    assert (found.id, found.session.venue.name) == (made.booking.id, "架空区役所 会議室B")
    assert len(run) == 1, "the session and venue come with the booking"
    linked = find_by_manage_secret(secret, business_today())
    assert (linked.id, linked.session.date) == (made.booking.id, seats["second"].date)
    assert len(run) == 2
    assert find_by_reference("ZZZZ-ZZZZ") is None


def test_a_manage_link_works_through_its_last_day_and_not_after(seats):
    secret = new_manage_secret()
    made = book(seats["first"].id, channel=Channel.WEB, status=BookingStatus.REQUESTED, manage_secret=secret)
    day = seats["first"].date
    assert find_by_manage_secret(secret, day).id == made.booking.id
    assert find_by_manage_secret(secret, day + timedelta(days=1)) is None
    Booking.update(manage_valid_until=None).where(Booking.id == made.booking.id).execute()
    assert find_by_manage_secret(secret, day - timedelta(days=1)) is None


def test_the_cut_off_is_the_one_given_at_the_moment_given(seats):
    booking = Booking.get_by_id(seats["linked"].id)
    day_before = datetime.combine(booking.session.date - timedelta(days=1), time(16), TOKYO)
    assert cancellable(booking, now=day_before)  # the default cut-off, 17:00 the day before
    assert not cancellable(booking, now=day_before, cutoff=time(15))
    long_ago = datetime(2020, 1, 1, tzinfo=TOKYO)
    assert cancellable(booking, now=long_ago, cutoff=time(15))
    assert not cancellable(booking, now=day_before + timedelta(days=1), cutoff=time(15))


def test_a_manage_secret_is_128_random_bits():
    secrets = {new_manage_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert {len(base64.urlsafe_b64decode(secret + "==")) for secret in secrets} == {16}


def test_the_deadline_is_the_cut_off_the_day_before_and_its_moment_is_already_late(public_app):
    deadline = datetime(2026, 12, 9, 15, 30, tzinfo=TOKYO)
    with public_app.app_context():
        assert change_deadline(date(2026, 12, 10), time(15, 30)) == deadline
        assert change_deadline(date(2026, 12, 10)) == datetime(2026, 12, 9, 17, tzinfo=TOKYO)
        assert before_cutoff(date(2026, 12, 10), deadline - timedelta(seconds=1), time(15, 30))
        assert not before_cutoff(date(2026, 12, 10), deadline, time(15, 30))


def test_open_sessions_come_by_day_then_time_then_venue_with_their_venue_in_one_statement(
    public_app, monkeypatch
):
    first_day = business_today() + timedelta(days=3)
    with public_app.app_context():
        venues = {name: Venue.create(name=name, ward="架空区", address="-") for name in ("B会場", "A会場")}
        closed = Venue.create(name="C会場", ward="架空区", address="-", active=False)
        # Made in an order that none of the sort keys follows.
        for venue, days, hour in [
            (venues["B会場"], 1, 10),
            (venues["A会場"], 0, 14),
            (venues["B会場"], 0, 10),
            (closed, 0, 9),
            (venues["A会場"], 0, 10),
            (venues["A会場"], 1, 9),
        ]:
            ConsultationSession.create(
                venue=venue,
                date=first_day + timedelta(days=days),
                starts_at=time(hour),
                ends_at=time(hour + 1),
                capacity=3,
            )
        run = statements_run(monkeypatch)
        listed = [(s.date - first_day).days for s in open_sessions(first_day, first_day + timedelta(days=1))]
        shown = [
            ((s.date - first_day).days, s.starts_at.hour, s.venue.name)
            for s in open_sessions(first_day, first_day + timedelta(days=1))
        ]
    assert shown == [(0, 10, "A会場"), (0, 10, "B会場"), (0, 14, "A会場"), (1, 9, "A会場"), (1, 10, "B会場")]
    assert len(listed) == 5 and len(run) == 2, "each listing is one statement, venues included"


def test_a_repeated_request_finds_its_booking_even_once_the_session_is_full(seats):
    first = seats["first"]
    made = book(
        first.id, channel=Channel.WEB, status=BookingStatus.REQUESTED, idempotency_key="the-same-form"
    )
    assert not made.repeated and made.booking.programmes == ""
    book(first.id, channel=Channel.PHONE, status=BookingStatus.CONFIRMED)  # the fifth and last place
    with pytest.raises(SessionFull):
        book(first.id, channel=Channel.PHONE, status=BookingStatus.CONFIRMED)
    again = book(
        first.id, channel=Channel.WEB, status=BookingStatus.REQUESTED, idempotency_key="the-same-form"
    )
    assert (again.booking.id, again.manage_secret, again.repeated) == (made.booking.id, None, True)
    assert taken(first) == [5]


def test_only_a_booking_made_with_a_manage_link_gets_a_day_until_which_it_works(seats):
    offered = book(
        seats["second"].id,
        channel=Channel.WEB,
        status=BookingStatus.OFFERED,
        manage_secret=new_manage_secret(),
    ).booking
    valid_until = {
        name: Booking.get_by_id(seats[name].id).manage_valid_until for name in ("phone", "linked", "waiting")
    }
    assert valid_until == {"phone": None, "linked": seats["first"].date, "waiting": None}
    assert Booking.get_by_id(offered.id).manage_valid_until is None, "an offer's link works once accepted"


def test_bookings_come_with_their_session_and_venue_in_one_statement(seats, monkeypatch):
    run = statements_run(monkeypatch)
    places = {booking.id: booking.session.venue.name for booking in bookings_with_places()}
    assert places == {seats[name].id: "架空区役所 会議室B" for name in ("phone", "linked", "waiting")}
    assert len(run) == 1


def test_a_request_racing_its_own_repeat_gets_the_booking_the_first_one_made(seats, monkeypatch):
    """Both passed the look-up before either had written: the second meets the unique key."""
    first = book(
        seats["second"].id, channel=Channel.WEB, status=BookingStatus.REQUESTED, idempotency_key="raced"
    )
    look_up = reservations._booking_where

    def not_yet_written(condition):
        monkeypatch.setattr(reservations, "_booking_where", look_up)  # later look-ups find it
        return None

    monkeypatch.setattr(reservations, "_booking_where", not_yet_written)
    second = book(
        seats["second"].id, channel=Channel.WEB, status=BookingStatus.REQUESTED, idempotency_key="raced"
    )
    assert (second.booking.id, second.repeated, second.manage_secret) == (first.booking.id, True, None)
    assert taken(seats["second"]) == [1]
    monkeypatch.setattr(reservations, "new_reference", lambda: first.booking.reference)
    with pytest.raises(IntegrityError):  # a clash of references is no repeat: nothing is found
        book(
            seats["second"].id, channel=Channel.WEB, status=BookingStatus.REQUESTED, idempotency_key="another"
        )
    assert taken(seats["second"]) == [1]
