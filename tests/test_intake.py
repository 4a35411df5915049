"""Phone intake: booking a caller, repeat callers, search, moves, cancellations and the call counter."""

from __future__ import annotations

import json
import re
from datetime import time, timedelta

import pytest
from nacl.public import PrivateKey, SealedBox

from portal.core.dates import business_today
from portal.core.models import AuditEvent, Booking, BookingIndex, CallEvent, ConsultationSession, Venue
from portal.core.models.reservations import BookingStatus, Channel
from portal.core.reservations import book
from tests.conftest import consent_to_exports, csrf_from

CALLER = {
    "business_name": "架空工務店",
    "business_kana": "カクウコウムテン",
    "contact_name": "佐藤 一郎",
    "contact_kana": "さとう いちろう",
    "phone": "０３－１２３４－５６７８",
    "email": "ichiro@example.com",
    "address": "架空市中央区2-2",
    "industry": "建設業",
    "programmes": ["yachin"],
}
SECRETS = ("架空工務店", "佐藤", "0312345678", "ichiro@example.com", "中央区2-2", "サトウ")


@pytest.fixture
def sessions(staff_app):
    """Two sessions next week: one with two places, one with a single place."""
    with staff_app.app_context():
        venue = Venue.create(name="架空区役所 会議室B", ward="架空区", address="架空市架空区3-3")
        day = business_today() + timedelta(days=7)
        roomy = ConsultationSession.create(
            venue=venue, date=day, starts_at=time(10), ends_at=time(11), capacity=2
        )
        tight = ConsultationSession.create(
            venue=venue, date=day, starts_at=time(13), ends_at=time(14), capacity=1
        )
        return roomy.id, tight.id


@pytest.fixture
def today_sessions(staff_app):
    """Today's sessions at a venue: one with two places, one with a single place."""
    with staff_app.app_context():
        venue = Venue.create(name="架空区役所 会議室C", ward="架空区", address="架空市架空区3-4")
        roomy, tight = (
            ConsultationSession.create(
                venue=venue,
                date=business_today(),
                starts_at=time(hour),
                ends_at=time(hour + 1),
                capacity=places,
            )
            for hour, places in ((10, 2), (13, 1))
        )
        return roomy.id, tight.id


@pytest.fixture
def operator(signed_in):
    return signed_in("operator")


def intake_form(client, session_id: int, **changes) -> dict:
    page = client.get("/intake")
    key = page.text.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    return {
        **CALLER,
        "session_id": session_id,
        "csrf_token": csrf_from(page.text),
        "idempotency_key": key,
        **changes,
    }


def repeat_seen(page: str) -> str | None:
    """The bookings the repeat-caller warning on the page lists, as the form sends them back."""
    match = re.search(r'name="repeat_seen" value="([^"]*)"', page)
    return match.group(1) if match else None


def book_caller(client, session_id: int, **changes) -> Booking:
    """Book as the operator does: a repeat caller's warning is read, and the booking confirmed."""
    data = intake_form(client, session_id, **changes)
    response = client.post("/intake", data=data)
    if response.status_code == 200 and repeat_seen(response.text):
        response = client.post("/intake", data={**data, "repeat_seen": repeat_seen(response.text)})
    assert response.status_code == 303, response.text
    assert response.headers["Location"].startswith("/intake/booked/")
    return Booking.get_by_id(int(response.headers["Location"].rsplit("/", 1)[1]))


def test_an_operator_books_a_caller_sealed_and_blind_indexed(staff_app, operator, sessions, config, accounts):
    roomy, _ = sessions
    page = operator.get("/intake")
    assert page.status_code == 200 and f'id="slot-{roomy}"' in page.text and "残り2席" in page.text
    with staff_app.app_context():
        booking = book_caller(operator, roomy)
        assert (booking.channel, booking.status) == ("phone", "confirmed")
        assert Booking.get_by_id(booking.id).created_by_id == accounts["operator"].id, "who took the call"
        assert ConsultationSession.get_by_id(roomy).taken == 1
        row = json.dumps(
            [str(value) for value in Booking.select().dicts().get().values()], ensure_ascii=False
        )
        for secret in SECRETS:
            assert secret not in row and secret.encode() not in bytes(booking.sealed)
        index = BookingIndex.get_by_id(booking.id)
        assert index.phone_index and index.email_index and index.kana_index
        private = PrivateKey((config["INSTANCE_PATH"] / "keys" / "seal.key").read_bytes())
        person = json.loads(SealedBox(private).decrypt(bytes(booking.sealed)))
        assert person["phone"] == "03-1234-5678" and person["contact_kana"] == "さとう いちろう"
        assert CallEvent.select().where(CallEvent.kind == "booking").count() == 1
        assert AuditEvent.select().where(AuditEvent.action == "booking.phone").count() == 1
    done = operator.get(f"/intake/booked/{booking.id}")
    assert booking.reference in done.text and "予約 1件" in done.text
    assert "佐藤 一郎 様のご予約を承りました" in done.text and "架空工務店" in done.text, (
        "read back to the caller"
    )


def test_blind_indexes_are_kept_under_the_booking_they_index(staff_app, sessions):
    roomy, _ = sessions
    with staff_app.app_context():
        web = book(roomy, channel=Channel.WEB, status=BookingStatus.REQUESTED).booking
        indexes = {"phone_index": "p" * 64, "email_index": None, "kana_index": "k" * 64}
        phone = book(roomy, channel=Channel.PHONE, status=BookingStatus.CONFIRMED, indexes=indexes).booking
        kept = [(i.booking_id, i.phone_index, i.kana_index) for i in BookingIndex.select()]
    assert web.id != phone.id and kept == [(phone.id, "p" * 64, "k" * 64)]


def test_a_refused_caller_form_keeps_everything_typed(staff_app, operator, sessions):
    data = intake_form(operator, "", phone="12-34")
    data.pop("session_id")
    page = operator.post("/intake", data=data)
    assert page.status_code == 200
    assert "日時と会場を、一覧から選んでください" in page.text and "電話番号は" in page.text
    for value in ("架空工務店", "佐藤 一郎", "さとう いちろう", "ichiro@example.com", "建設業"):
        assert f'value="{value}"' in page.text
    assert (
        "checked"
        in page.text.split('value="yachin"')[0].rsplit("<input", 1)[1]
        + page.text.split('value="yachin"')[1].split(">")[0]
    )
    with staff_app.app_context():
        assert Booking.select().count() == 0


def test_a_double_submitted_call_books_once_and_a_full_slot_is_refused(staff_app, operator, sessions):
    roomy, tight = sessions
    data = intake_form(operator, roomy)
    assert operator.post("/intake", data=data).status_code == 303
    assert operator.post("/intake", data=data).status_code == 303
    book_caller(operator, tight, phone="0311112222")
    page = operator.post("/intake", data=intake_form(operator, tight, phone="0333334444"))
    assert page.status_code == 200 and "満席" in page.text
    with staff_app.app_context():
        assert Booking.select().count() == 2 and CallEvent.select().count() == 2
        assert ConsultationSession.get_by_id(roomy).taken == 1


def test_repeat_callers_are_found_by_phone_email_or_reading_however_typed(staff_app, operator, sessions):
    roomy, _ = sessions
    with staff_app.app_context():
        earlier = book_caller(operator, roomy)
    token = csrf_from(operator.get("/intake").text)
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    for typed in ({"phone": "03 1234 5678"}, {"email": " Ichiro@Example.COM"}, {"contact_kana": "ｻﾄｳｲﾁﾛｳ"}):
        fragment = operator.post("/intake/matches", data=typed, headers=headers)
        assert earlier.reference in fragment.text and "<html" not in fragment.text, typed
    stranger = operator.post("/intake/matches", data={"phone": "0398765432"}, headers=headers)
    assert earlier.reference not in stranger.text
    refused = operator.post("/intake", data=intake_form(operator, "", phone="03-1234-5678"))
    assert earlier.reference in refused.text, "the warning also shows when the form comes back"


def test_the_inbox_flags_a_web_request_from_a_known_phone(staff_app, public_app, operator, sessions):
    roomy, tight = sessions
    with staff_app.app_context():
        earlier = book_caller(operator, roomy)
    visitor = public_app.test_client()
    page = visitor.get(f"/sessions/{tight}")
    key = page.text.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    form = {
        "business_name": "別の名前",
        "contact_name": "佐藤",
        "phone": "03-1234-5678",
        "programmes": ["yushi"],
        "consent": "y",
        "csrf_token": csrf_from(page.text),
        "idempotency_key": key,
    }
    assert visitor.post(f"/sessions/{tight}", data=form).status_code == 303
    inbox = operator.get("/bookings/requests")
    assert "同じ方の予約がすでにあります" in inbox.text and earlier.reference in inbox.text
    with staff_app.app_context():
        web = Booking.get(Booking.channel == "web")
        assert BookingIndex.get_by_id(web.id).phone_index == BookingIndex.get_by_id(earlier.id).phone_index


def test_search_by_reference_phone_email_or_reading_is_a_post_and_audited(staff_app, operator, sessions):
    roomy, _ = sessions
    with staff_app.app_context():
        booking = book_caller(operator, roomy)
    assert "架空工務店" not in operator.get("/intake/search?q=0312345678").text
    token = csrf_from(operator.get("/intake/search").text)
    for text in (
        booking.reference.lower().replace("-", ""),
        "03-1234-5678",
        "ICHIRO@example.com",
        "サトウイチロウ",
    ):
        page = operator.post("/intake/search", data={"q": text, "csrf_token": token})
        assert booking.reference in page.text and "架空工務店" in page.text, text
    nothing = operator.post("/intake/search", data={"q": "0399999999", "csrf_token": token})
    assert "該当する予約はありません" in nothing.text
    with staff_app.app_context():
        assert AuditEvent.select().where(AuditEvent.action == "booking.search").count() == 5
        views = AuditEvent.select().where(
            AuditEvent.action == "booking.view", AuditEvent.object_id == str(booking.id)
        )
        assert views.count() == 4


def test_moving_and_cancelling_with_a_reason(staff_app, operator, sessions):
    roomy, tight = sessions
    with staff_app.app_context():
        booking = book_caller(operator, roomy)
        book_caller(operator, tight, phone="0311112222")
    page = operator.get(f"/intake/{booking.id}/change")
    token = csrf_from(page.text)
    assert (
        "架空工務店" in page.text
        and f'id="slot-{tight}"' in page.text
        and f'id="slot-{roomy}"' not in page.text
    )
    full = operator.post(f"/intake/{booking.id}/move", data={"session_id": tight, "csrf_token": token})
    assert full.status_code == 200 and "満席" in full.text
    no_reason = operator.post(f"/intake/{booking.id}/cancel", data={"reason": " ", "csrf_token": token})
    assert "取り消しの理由を入力してください" in no_reason.text
    with staff_app.app_context():
        assert Booking.get_by_id(booking.id).status == "confirmed"
        assert ConsultationSession.get_by_id(roomy).taken == 1
    done = operator.post(
        f"/intake/{booking.id}/cancel",
        data={"reason": "お客様のご都合", "csrf_token": token, "confirmed": "yes"},
    )
    assert done.status_code == 303
    with staff_app.app_context():
        cancelled = Booking.get_by_id(booking.id)
        assert (cancelled.status, cancelled.decline_reason) == ("cancelled", "お客様のご都合")
        assert ConsultationSession.get_by_id(roomy).taken == 0
    assert operator.get(f"/intake/{booking.id}/change").status_code == 404


def test_a_booking_moves_to_a_free_slot_and_gives_its_seat_back(staff_app, operator, sessions):
    roomy, tight = sessions
    with staff_app.app_context():
        booking = book_caller(operator, roomy)
    token = csrf_from(operator.get(f"/intake/{booking.id}/change").text)
    moved = operator.post(f"/intake/{booking.id}/move", data={"session_id": tight, "csrf_token": token})
    assert moved.status_code == 303
    with staff_app.app_context():
        assert Booking.get_by_id(booking.id).session_id == tight
        assert [ConsultationSession.get_by_id(s).taken for s in (roomy, tight)] == [0, 1]


def test_the_call_counter_counts_enquiries(staff_app, operator, sessions):
    token = csrf_from(operator.get("/intake").text)
    fragment = operator.post("/intake/enquiry", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert "問い合わせ 1件" in fragment.text and "本日の電話 1件" in fragment.text
    assert operator.post("/intake/enquiry", data={"csrf_token": token}).status_code == 303
    assert "問い合わせ 2件" in operator.get("/intake").text


def test_intake_is_for_the_front_desk_only_and_refuses_forged_posts(staff_app, signed_in, client, sessions):
    roomy, _ = sessions
    paths = ["/intake", "/intake/search", "/intake/slots", "/intake/booked/1", "/intake/1/change"]
    for role in ("consultant", "admin"):
        other = signed_in(role)
        for path in paths:
            assert other.get(path).status_code == 404, (role, path)
    for path in paths:
        assert client.get(path).status_code == 404, path
    city = signed_in("city")
    assert city.get("/intake").status_code == 200
    forged = city.post("/intake", data={**CALLER, "session_id": roomy})
    assert forged.status_code == 400
    with staff_app.app_context():
        assert Booking.select().count() == 0


def test_reception_seats_a_walk_in_while_places_remain(staff_app, operator, signed_in, today_sessions):
    roomy, tight = today_sessions
    with staff_app.app_context():
        day = ConsultationSession.get_by_id(roomy).date.isoformat()
        book_caller(operator, tight)
    page = operator.get(f"/bookings/reception?date={day}")
    token = csrf_from(page.text)
    assert f'name="session_id" value="{roomy}"' in page.text
    assert f'id="walk-in-{tight}-contact_name"' not in page.text, "a full session takes no walk-in"
    url = f"/bookings/reception/walk-in?date={day}"
    typed = {"session_id": roomy, "phone": "99", "business_name": "飛込商店", "csrf_token": token}
    refused = operator.post(url, data=typed)
    assert refused.status_code == 200 and 'value="飛込商店"' in refused.text and "電話番号は" in refused.text
    full = operator.post(url, data={"session_id": tight, "contact_name": "来場 太郎", "csrf_token": token})
    assert "この相談枠は満席です" in full.text
    seated = operator.post(url, data={"session_id": roomy, "contact_name": "来場 太郎", "csrf_token": token})
    assert seated.status_code == 303 and seated.headers["Location"].startswith("/bookings/reception?date=")
    with staff_app.app_context():
        walk_in = Booking.get(Booking.channel == "walk-in")
        assert walk_in.status == "attended" and ConsultationSession.get_by_id(roomy).taken == 1
        assert "来場".encode() not in bytes(walk_in.sealed)
    assert "来場 太郎" in operator.get(f"/bookings/reception?date={day}").text
    consultant = signed_in("consultant")
    own_token = csrf_from(consultant.get("/").text)
    walk_in_post = consultant.post(
        url, data={"session_id": roomy, "contact_name": "x", "csrf_token": own_token}
    )
    assert walk_in_post.status_code == 404


def test_the_daily_list_filters_by_venue_and_shows_the_day_s_calls(staff_app, operator, sessions, accounts):
    consent_to_exports(staff_app, accounts["operator"].id)
    roomy, _ = sessions
    with staff_app.app_context():
        booking = book_caller(operator, roomy)
        day = booking.session.date.isoformat()
        other = Venue.create(name="架空公民館", ward="別区", address="架空市別区1-1")
        ConsultationSession.create(
            venue=other, date=booking.session.date, starts_at=time(9), ends_at=time(10), capacity=3
        )
        venue_id = booking.session.venue_id
    page = operator.get(f"/bookings/daily?date={day}&venue={venue_id}")
    assert booking.reference in page.text and "架空公民館" in page.text, (
        "the other venue is offered in the filter"
    )
    assert booking.reference not in operator.get(f"/bookings/daily?date={day}&venue={other.id}").text
    assert "この日の電話" in page.text
    csv = operator.get(f"/bookings/daily.csv?date={day}&venue={other.id}")
    assert booking.reference not in csv.data.decode("utf-8-sig")


def test_a_refused_form_keeps_a_slot_found_beyond_the_default_fortnight(staff_app, operator, sessions):
    with staff_app.app_context():
        venue = Venue.get()
        later = ConsultationSession.create(
            venue=venue,
            date=business_today() + timedelta(days=40),
            starts_at=time(9),
            ends_at=time(10),
            capacity=4,
        )
    assert f'id="slot-{later.id}"' not in operator.get("/intake").text
    page = operator.post("/intake", data=intake_form(operator, later.id, phone="1"))
    assert "電話番号は" in page.text
    assert re.search(rf'<input type="radio"[^>]* id="slot-{later.id}"[^>]* checked[ >]', page.text)
