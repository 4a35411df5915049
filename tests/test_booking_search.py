"""Finding a booking by part of a name, business name or reading, as staff type it, without the
store holding any of them in clear.

Written out again: 「スズキ」, 「すずき」 and 「ｽｽﾞｷ」 find 鈴木 太郎 whose reading is スズキ タロウ; part
of the business's reading and of its name in kanji find it too; one character asks for more; the
store holds only four-hex-digit tokens; a booking opened to be checked but not shown is audited as
such, and one shown as a view.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.core.dates import business_today
from portal.core.models import AuditEvent, Booking, BookingNameToken
from tests.conftest import csrf_from
from tests.front_desk import seat, session_at, venue

SUZUKI = {
    "contact_name": "鈴木 太郎",
    "contact_kana": "スズキ タロウ",
    "business_name": "株式会社ひかりベーカリー",
    "business_kana": "ヒカリベーカリー",
    "phone": "03-5555-0101",
}
OTHER = {
    "contact_name": "鈴村 次郎",
    "contact_kana": "スズムラ ジロウ",
    "business_name": "鈴村工務店",
    "business_kana": "スズムラコウムテン",
    "phone": "03-5555-0202",
}


@pytest.fixture
def bookings(staff_app):
    with staff_app.app_context():
        session = session_at(venue("架空区役所"), business_today() + timedelta(days=3), 10)
        return seat(session, **SUZUKI).reference, seat(session, **OTHER).reference


def search(client, text: str) -> str:
    token = csrf_from(client.get("/intake/search").text)
    return client.post("/intake/search", data={"q": text, "csrf_token": token}).text


@pytest.mark.parametrize(
    "typed",
    [
        "スズキ",
        "すずき",
        "ｽｽﾞｷ",
        "すずき たろう",
        "タロウ",
        "ひかりべーかり",
        "ベーカリー",
        "ひかりベーカ",
        "鈴木",
        "株式会社ひかり",
    ],
)
def test_part_of_a_name_reading_or_business_name_finds_the_booking(signed_in, bookings, typed):
    suzuki, other = bookings
    page = search(signed_in("operator"), typed)
    assert suzuki in page and "鈴木 太郎" in page, typed
    assert other not in page, typed


def test_what_two_bookings_share_finds_both_and_one_character_asks_for_more(signed_in, bookings):
    operator = signed_in("operator")
    assert all(reference in search(operator, "すず") for reference in bookings)
    short = search(operator, "ス")
    assert "2文字以上で入力してください" in short and bookings[0] not in short
    assert "該当する予約はありません" in search(operator, "サトウ")


def test_the_store_holds_short_tokens_only_and_every_opening_is_audited(staff_app, signed_in, bookings):
    operator = signed_in("operator")
    search(operator, "スズキ")
    with staff_app.app_context():
        tokens = [row.token for row in BookingNameToken.select()]
        assert tokens and all(re.fullmatch(r"[0-9a-f]{4}", token) for token in tokens)
        suzuki = Booking.get(Booking.reference == bookings[0])
        other = Booking.get(Booking.reference == bookings[1])
        events = {
            (e.action, e.object_id)
            for e in AuditEvent.select().where(AuditEvent.action.in_(["booking.view", "booking.match"]))
        }
    assert ("booking.view", str(suzuki.id)) in events
    assert ("booking.view", str(other.id)) not in events, "not shown, so not a view"


def test_a_web_request_is_found_by_name_once_the_staff_zone_has_met_it(staff_app, public_app, signed_in):
    with staff_app.app_context():
        session_id = session_at(venue("架空区役所"), business_today() + timedelta(days=3), 10).id
    visitor = public_app.test_client()
    page = visitor.get(f"/sessions/{session_id}")
    key = page.text.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    form = {
        "business_name": "網野デザイン",
        "contact_name": "網野 三咲",
        "phone": "045-777-0303",
        "programmes": ["yushi"],
        "consent": "y",
        "csrf_token": csrf_from(page.text),
        "idempotency_key": key,
    }
    assert visitor.post(f"/sessions/{session_id}", data=form).status_code == 303
    found = search(signed_in("operator"), "デザイン")
    assert "網野 三咲" in found
