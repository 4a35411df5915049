"""Check-in belongs to the day itself, written out again: arrivals, absences and walk-ins are
recorded on the consultation day; a day to come is refused with a clear message, for every role;
a past day is closed to the operator, and a city user's correction of it is audited as one. A
consultation on a day to come is never offered to its consultant as a record to write."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.core.dates import business_today
from portal.core.models import AuditEvent, Booking
from tests.conftest import csrf_from
from tests.front_desk import seat, session_at, venue

TODAY = business_today()


@pytest.fixture
def days(staff_app, accounts):
    """A booking yesterday, today and tomorrow, in the consultant's sessions; ids by day."""
    with staff_app.app_context():
        place = venue("架空区役所")
        return {
            name: seat(
                session_at(place, TODAY + timedelta(days=offset), 10, consultant=accounts["consultant"].id),
                contact_name=f"来場 {name}",
                business_name=f"{name}商店",
            ).id
            for name, offset in (("yesterday", -1), ("today", 0), ("tomorrow", 1))
        }


def mark(client, booking_id: int, what: str = "attended", htmx: bool = False):
    token = csrf_from(client.get("/").text)
    headers = {"HX-Request": "true", "X-CSRFToken": token} if htmx else {}
    return client.post(
        f"/bookings/reception/{booking_id}/{what}", data={"csrf_token": token}, headers=headers
    )


def status_of(app, booking_id: int) -> str:
    with app.app_context():
        return Booking.get_by_id(booking_id).status


def outcomes(app, booking_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        events = AuditEvent.select().where(
            AuditEvent.object_type == "booking", AuditEvent.object_id == str(booking_id)
        )
        return [(e.action, e.outcome) for e in events.order_by(AuditEvent.seq) if e.action != "booking.view"]


@pytest.mark.parametrize("role", ["operator", "city"])
def test_a_day_to_come_is_shown_but_cannot_be_marked_or_take_walk_ins(staff_app, signed_in, days, role):
    client = signed_in(role)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    page = client.get(f"/bookings/reception?date={tomorrow}").text
    assert "来場 tomorrow" in page and "まだ来ていないため" in page
    assert "/bookings/reception/" not in page.split("</h1>")[1].split("受付表を印刷")[1], "no buttons"
    assert "当日来場の受付" not in page, "no walk-in forms, and no empty heading"
    for htmx in (False, True):
        refused = mark(client, days["tomorrow"], htmx=htmx)
        assert status_of(staff_app, days["tomorrow"]) == "confirmed"
        if htmx:
            assert "まだ来ていないため" in refused.text and "<html" not in refused.text
        else:
            assert refused.status_code == 303
            assert "まだ来ていないため" in client.get(refused.headers["Location"]).text
    assert outcomes(staff_app, days["tomorrow"])[-1] == ("booking.attended", "refused")
    walk_in = client.post(
        f"/bookings/reception/walk-in?date={tomorrow}",
        data={
            "csrf_token": csrf_from(page),
            "session_id": session_of(staff_app, days["tomorrow"]),
            "contact_name": "先走 太郎",
        },
    )
    assert "まだ来ていないため" in walk_in.text
    with staff_app.app_context():
        assert Booking.select().where(Booking.channel == "walk-in").count() == 0


def session_of(app, booking_id: int) -> int:
    with app.app_context():
        return Booking.get_by_id(booking_id).session_id


def test_today_is_marked_by_the_front_desk(staff_app, signed_in, days):
    operator = signed_in("operator")
    assert mark(operator, days["today"], htmx=True).status_code == 200
    assert status_of(staff_app, days["today"]) == "attended"
    assert outcomes(staff_app, days["today"])[-1] == ("booking.attended", "ok")


def test_a_past_day_is_corrected_by_a_city_user_only_and_audited_as_a_correction(staff_app, signed_in, days):
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    operator, city = signed_in("operator"), signed_in("city")
    page = operator.get(f"/bookings/reception?date={yesterday}").text
    assert "過ぎた日のため" in page and "市の担当者に依頼" in page
    mark(operator, days["yesterday"], "no-show")
    assert status_of(staff_app, days["yesterday"]) == "confirmed"
    assert "過ぎた日の記録を訂正しています" in city.get(f"/bookings/reception?date={yesterday}").text
    mark(city, days["yesterday"], "no-show", htmx=True)
    assert status_of(staff_app, days["yesterday"]) == "no-show"
    assert outcomes(staff_app, days["yesterday"])[-2:] == [
        ("booking.no-show", "refused"),
        ("booking.no-show", "correction"),
    ]


def test_a_consultation_to_come_is_never_a_record_to_write(staff_app, signed_in, days):
    with staff_app.app_context():
        # Marked as arrived before this rule existed, or by a forged request.
        Booking.update(status="attended").where(Booking.id.in_(list(days.values()))).execute()
    consultant = signed_in("consultant")
    listing = consultant.get("/records").text
    assert "yesterday商店" in listing and "today商店" in listing and "tomorrow商店" not in listing
    assert consultant.get(f"/records/new/{days['tomorrow']}").status_code == 404
    assert consultant.get(f"/records/new/{days['today']}").status_code == 200
