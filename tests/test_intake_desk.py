"""Phone intake as the operator uses it all day, with or without JavaScript.

Written out again: a number typed with hyphens is kept with them for reading back and matched
without them; the repeat-caller warning names open and recent bookings (a visit years ago, or a
cancelled booking, is no warning); without JavaScript the warning comes as a confirmation step on
the first submit, and the slot filter keeps everything typed; each slot has one label; the reset
button does not look like the booking button; the result page names the caller.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from nacl.public import PrivateKey, SealedBox

from portal.core.dates import business_today
from portal.core.models import Booking
from tests.conftest import csrf_from
from tests.front_desk import seat, session_at, venue

TODAY = business_today()
CALLER = {
    "phone": "03-5555-0101",
    "contact_name": "窓口 花子",
    "contact_kana": "マドグチ ハナコ",
    "business_name": "花子デザイン事務所",
}


@pytest.fixture
def slots(staff_app):
    """Two sessions next week at two venues, and one at the first a month later."""
    with staff_app.app_context():
        north, south = venue("北架空支所", "北区"), venue("南架空支所", "南区")
        return {
            "north": session_at(north, TODAY + timedelta(days=7), 10).id,
            "south": session_at(south, TODAY + timedelta(days=8), 14).id,
            "later": session_at(north, TODAY + timedelta(days=30), 10).id,
        }


def intake_data(client, **fields) -> dict:
    page = client.get("/intake").text
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page)[1]
    return {"csrf_token": csrf_from(page), "idempotency_key": key, **CALLER, **fields}


def opened_payload(config, booking: Booking) -> dict:
    private = PrivateKey((config["INSTANCE_PATH"] / "keys" / "seal.key").read_bytes())
    return json.loads(SealedBox(private).decrypt(bytes(booking.sealed)))


def test_a_phone_number_keeps_its_hyphens_for_reading_back(staff_app, signed_in, slots, config):
    operator = signed_in("operator")
    booked = operator.post(
        "/intake", data=intake_data(operator, session_id=slots["north"], phone="０３－５５５５－０１０１")
    )
    assert booked.status_code == 303
    with staff_app.app_context():
        booking = Booking.get()
        assert opened_payload(config, booking)["phone"] == "03-5555-0101"
    done = operator.get(booked.headers["Location"]).text
    assert "窓口 花子 様のご予約を承りました" in done and booking.reference in done
    day = (TODAY + timedelta(days=7)).isoformat()
    assert "03-5555-0101" in operator.get(f"/bookings/daily?date={day}").text
    token = csrf_from(done)
    assert (
        booking.reference
        in operator.post("/intake/search", data={"q": "0355550101", "csrf_token": token}).text
    )


@pytest.mark.parametrize(
    ("offset", "status", "warned", "label"),
    [
        (-3 * 365, "attended", False, None),
        (-400, "no-show", False, None),
        (-10, "attended", True, "最近の相談"),
        (5, "confirmed", True, "予約中"),
        (5, "requested", True, "予約中"),
        (5, "cancelled", False, None),
    ],
)
def test_the_repeat_caller_warning_names_open_and_recent_bookings_only(
    staff_app, signed_in, slots, offset, status, warned, label
):
    with staff_app.app_context():
        earlier = seat(
            session_at(venue("架空区役所"), TODAY + timedelta(days=offset), 10), status=status, **CALLER
        )
    operator = signed_in("operator")
    token = csrf_from(operator.get("/intake").text)
    fragment = operator.post(
        "/intake/matches", data={"phone": "0355550101"}, headers={"HX-Request": "true", "X-CSRFToken": token}
    ).text
    assert (earlier.reference in fragment) is warned
    if label:
        assert label in fragment and "一致: 電話番号" in fragment


def test_without_javascript_a_repeat_caller_is_a_confirmation_step_before_booking(
    staff_app, signed_in, slots
):
    with staff_app.app_context():
        earlier = seat(session_at(venue("架空区役所"), TODAY + timedelta(days=3), 10), **CALLER)
    operator = signed_in("operator")
    data = intake_data(operator, session_id=slots["north"], email="hanako@example.jp")
    first = operator.post("/intake", data=data)
    assert first.status_code == 200 and earlier.reference in first.text
    assert "このまま「予約を確定する」をもう一度押してください" in first.text
    for value in ("03-5555-0101", "窓口 花子", "マドグチ ハナコ", "花子デザイン事務所", "hanako@example.jp"):
        assert f'value="{value}"' in first.text
    assert re.search(rf'<input type="radio"[^>]* id="slot-{slots["north"]}"[^>]* checked', first.text)
    with staff_app.app_context():
        assert Booking.select().count() == 1, "nothing booked yet"
    seen = re.search(r'name="repeat_seen" value="([^"]+)"', first.text)[1]
    second = operator.post("/intake", data={**data, "repeat_seen": seen})
    assert second.status_code == 303
    with staff_app.app_context():
        assert Booking.select().count() == 2


def test_without_javascript_the_slot_filter_keeps_everything_typed(staff_app, signed_in, slots):
    operator = signed_in("operator")
    later = (TODAY + timedelta(days=30)).isoformat()
    data = intake_data(operator, date=later, venue="", ward="", filter="1", email="hanako@example.jp")
    page = operator.post("/intake", data=data)
    assert page.status_code == 200
    for value in ("03-5555-0101", "窓口 花子", "マドグチ ハナコ", "花子デザイン事務所", "hanako@example.jp"):
        assert f'value="{value}"' in page.text
    assert f'id="slot-{slots["later"]}"' in page.text and f'id="slot-{slots["north"]}"' not in page.text
    assert f'value="{later}"' in page.text, "the filter shows what it narrowed to"
    assert "field-errors" not in page.text, "narrowing is not a refused booking"
    with staff_app.app_context():
        assert Booking.select().count() == 0


def test_each_slot_has_one_label_and_the_reset_button_is_not_the_primary_one(signed_in, slots):
    page = signed_in("operator").get("/intake").text
    radios = re.findall(r'<input type="radio" name="session_id" id="(slot-\d+)"', page)
    assert len(radios) == 2
    for radio in radios:
        assert page.count(f'<label for="{radio}"') == 1
        assert f'aria-labelledby="{radio}-when {radio}-venue"' in page
    assert '<button type="reset" class="button-secondary">' in page
    assert re.search(r'<button type="submit" id="book"[^>]*>予約を確定する</button>', page)


def test_the_web_inbox_counts_its_requests_and_shows_when_they_came_and_what_for(staff_app, signed_in):
    with staff_app.app_context():
        session = session_at(venue("架空区役所"), TODAY + timedelta(days=4), 10)
        first = seat(session, status="requested", channel="web", contact_name="網野 三咲")
        seat(session, status="requested", channel="web", contact_name="網野 四郎")
        received = first.created_at
    page = signed_in("operator").get("/bookings/requests").text
    assert "確認待ち 2件" in page
    assert "申込日時" in page and f"{received.year}年" in page
    assert "家賃支援給付金" in page, "the programmes the visitor asked about"
