"""Attacks on the booking flows: hostile text in every place it is shown, and GETs that try to
change state (mail scanners and prefetchers follow every link)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from portal.core.dates import business_today
from portal.core.models import (
    PUBLIC_MODELS,
    STAFF_MODELS,
    AuditEvent,
    Booking,
    BookingIndex,
    BookingNameToken,
    ConsultationSession,
    PublicEvent,
    StaffSession,
    Throttle,
    Venue,
)
from tests.conftest import csrf_from
from tests.test_gate import sample_urls
from tests.test_reservations import form_data

HOSTILE = "<img src=x onerror=alert(1)>{{7*7}}"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;{{7*7}}"
# Rows a GET may touch: its own audit trail (which takes in the public zone's event log), the
# reader's session, the throttle, and the blind indexes the staff zone derives from stored bookings.
# Besides the logs and sessions, the indexes the staff zone derives from a booking when it first
# meets it (blind indexes and name tokens), which change no fact.
GET_MAY_WRITE = {AuditEvent, PublicEvent, StaffSession, Throttle, BookingIndex, BookingNameToken}


@pytest.fixture
def hostile_request(public_app):
    """A web request whose every text field is hostile, and its manage URL."""
    with public_app.app_context():
        venue = Venue.create(name="架空区役所", ward="架空区", address="架空市1-1")
        session = ConsultationSession.create(
            venue=venue,
            date=business_today() + timedelta(days=3),
            starts_at=time(10),
            ends_at=time(11),
            capacity=3,
        )
    visitor = public_app.test_client()
    data = form_data(visitor, session.id, business_name=HOSTILE, contact_name=HOSTILE, contact_kana=HOSTILE)
    assert visitor.post(f"/sessions/{session.id}", data=data).status_code == 303
    done = visitor.get("/booking/complete").text
    return session, "/manage/" + done.split('href="/manage/')[1].split('"')[0]


def test_hostile_booking_text_is_inert_in_every_staff_page_and_fragment(
    staff_app, signed_in, hostile_request
):
    session, _ = hostile_request
    operator = signed_in("operator")
    day = session.date.isoformat()
    token = csrf_from(operator.get("/").text)
    with staff_app.app_context():
        booking = Booking.get()
    pages = {
        "inbox": operator.get("/bookings/requests"),
        "daily": operator.get(f"/bookings/daily?date={day}"),
        "reception": operator.get(f"/bookings/reception?date={day}"),
        "search": operator.post("/intake/search", data={"q": booking.reference, "csrf_token": token}),
        "change": operator.get(f"/intake/{booking.id}/change"),
        "row": operator.post(
            f"/bookings/reception/{booking.id}/attended", headers={"HX-Request": "true", "X-CSRFToken": token}
        ),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        assert "<img src=x" not in page.text and ESCAPED in page.text, name
        # Wherever the text shows, its braces show too: no template evaluated it (to 49).
        assert page.text.count(ESCAPED) == page.text.count("onerror=alert(1)"), name


def _snapshot(app) -> dict:
    with app.app_context():
        return {
            model.__name__: sorted(
                tuple(sorted((key, str(value)) for key, value in row.items()))
                for row in model.select().dicts()
            )
            for model in [*STAFF_MODELS, *PUBLIC_MODELS]
            if model not in GET_MAY_WRITE
        }


def test_no_get_or_head_on_either_instance_changes_state(staff_app, public_app, signed_in, hostile_request):
    session, manage_url = hostile_request
    with staff_app.app_context():
        booking = Booking.get()
    ids = (booking.id, session.id, 999999)
    clients = [signed_in(role) for role in ("operator", "city", "consultant", "admin")]
    before = _snapshot(staff_app)
    visited = 0
    for client in clients:
        for rule in staff_app.url_map.iter_rules():
            if "GET" in rule.methods and rule.endpoint not in ("static", "auth.logout"):
                for url in sample_urls(staff_app, rule, ids):
                    for method in ("GET", "HEAD"):
                        client.open(url, method=method).close()
                        visited += 1
    visitor = public_app.test_client()
    for rule in public_app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            for url in [*sample_urls(public_app, rule, ids), manage_url]:
                visitor.get(url).close()
                visited += 1
    assert visited > 100
    assert _snapshot(staff_app) == before
