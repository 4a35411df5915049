"""ASVS chapters 3, 13 and 15 at the HTTP surface of both instances: SameSite on every cookie,
no source-control files, no TRACE echo, no listing of a directory-like URL, and parameters read
from one place only (duplicated or query-string copies change nothing)."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from portal.core.dates import business_today
from portal.core.models import Booking, ConsultationSession, Venue
from portal.core.settings import PROJECT_ROOT
from tests.conftest import csrf_from
from tests.test_intake import intake_form
from tests.test_reservations import form_data

SOURCE_CONTROL = (
    "/.git/HEAD",
    "/.git/config",
    "/.git/",
    "/.gitignore",
    "/static/.git/HEAD",
    "/static/.gitignore",
    "/static/../../.git/HEAD",
    "/static/../../.gitignore",
    "/static/%2e%2e/%2e%2e/.git/config",
    "/static/..%2f..%2f.gitignore",
)
FORM_TOKEN = re.compile(rb'(name="csrf-token" content="|name="csrf_token" value=")[^"]*')
PUBLIC_DIRECTORIES = (
    "/static/",
    "/static/css/",
    "/static/js/",
    "/assets/",
    "/venues/",
    "/sessions/",
    "/manage/",
)


@pytest.fixture
def zones(staff_app, public_app, signed_in) -> dict:
    """An anonymous visitor of each zone, and a signed-in city user."""
    return {
        "public": public_app.test_client(),
        "staff": staff_app.test_client(),
        "signed in": signed_in("city"),
    }


@pytest.fixture
def sessions(public_app) -> dict[str, int]:
    """Two sessions a week ahead at one venue, three places each."""
    day = business_today() + timedelta(days=7)
    with public_app.app_context():
        venue = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        return {
            name: ConsultationSession.create(
                venue=venue, date=day, starts_at=time(hour), ends_at=time(hour + 1), capacity=3
            ).id
            for name, hour in (("first", 10), ("second", 13))
        }


def page_body(response) -> bytes:
    """The body with its form tokens blanked (they differ on every signed-in page)."""
    return FORM_TOKEN.sub(rb"\1", response.data)


def taken(app, sessions: dict[str, int]) -> dict[str, int]:
    with app.app_context():
        return {name: ConsultationSession.get_by_id(i).taken for name, i in sessions.items()}


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_every_cookie_of_either_zone_is_samesite_lax_and_httponly(staff_app, public_app, sessions, scheme):
    """V3.3.2: the public zone's session cookie (set by the booking form) and each zone's language
    cookie, over plain HTTP and over TLS (the staff session cookie is in tests/test_auth.py)."""
    secure = scheme == "https"
    base = f"{scheme}://localhost"
    answers = {
        "public session": public_app.test_client().get(f"/sessions/{sessions['first']}", base_url=base),
        "public language": public_app.test_client().get("/language/en", base_url=base),
        "staff language": staff_app.test_client().get("/language/en", base_url=base),
    }
    for what, answer in answers.items():
        [header] = answer.headers.getlist("Set-Cookie")
        attributes = [part.strip() for part in header.split(";")]
        assert "SameSite=Lax" in attributes and "HttpOnly" in attributes, what
        assert ("Secure" in attributes) == secure, what


@pytest.mark.parametrize("who", ["public", "staff", "signed in"])
def test_source_control_files_are_never_served(zones, who):
    """V13.4.1: the checkout's .git sits two folders above the static files; no URL reaches it."""
    assert (PROJECT_ROOT / ".git").exists() and (PROJECT_ROOT / ".gitignore").is_file()
    client = zones[who]
    unknown = client.get("/no-such-page")
    for path in SOURCE_CONTROL:
        response = client.get(path)
        assert response.status_code == 404, path
        assert page_body(response) == page_body(unknown), path


@pytest.mark.parametrize("who", ["public", "staff", "signed in"])
def test_trace_is_refused_and_echoes_nothing(zones, who):
    """V13.4.4: TRACE (and TRACK) get the unknown-URL 404, never the request back."""
    client = zones[who]
    unknown = client.get("/no-such-page")
    for method in ("TRACE", "TRACK"):
        for path in ("/", "/login", "/healthz", "/no-such-page"):
            response = client.open(path, method=method, headers={"X-Echo-Canary": "trace-canary-7731"})
            assert response.status_code == 404, (method, path)
            assert b"trace-canary-7731" not in response.data, (method, path)
            assert page_body(response) == page_body(unknown), (method, path)


@pytest.mark.parametrize("path", PUBLIC_DIRECTORIES)
def test_the_public_zones_directory_urls_list_nothing(public_app, path):
    """A3 on the public instance (the staff instance's are in tests/test_gate.py)."""
    client = public_app.test_client()
    response = client.get(path)
    assert response.status_code == 404
    assert response.data == client.get("/no-such-page").data and b"Index of" not in response.data


def test_a_public_booking_takes_its_session_from_the_url_only(public_app, sessions):
    """V15.3.7: a session id smuggled into the query string or the body books nothing elsewhere."""
    visitor = public_app.test_client()
    data = MultiDict(form_data(visitor, sessions["first"]))
    data.add("session_id", sessions["second"])
    response = visitor.post(
        f"/sessions/{sessions['first']}?session_id={sessions['second']}&contact_name=x", data=data
    )
    assert response.status_code == 303
    assert taken(public_app, sessions) == {"first": 1, "second": 0}
    with public_app.app_context():
        assert Booking.select().count() == 1


def test_a_form_token_in_the_query_string_does_not_count(public_app, staff_app, sessions, signed_in):
    """V15.3.7: the token is read from the body (or the htmx header), never from the URL."""
    visitor = public_app.test_client()
    data = form_data(visitor, sessions["first"])
    token = data.pop("csrf_token")
    refused = visitor.post(f"/sessions/{sessions['first']}?csrf_token={token}", data=data)
    assert refused.status_code == 400
    operator = signed_in("operator")
    data = intake_form(operator, sessions["first"])
    token = data.pop("csrf_token")
    assert operator.post(f"/intake?csrf_token={token}", data=data).status_code == 400
    assert taken(public_app, sessions) == {"first": 0, "second": 0}


def duplicated(data: dict, name: str, first: object, second: object) -> MultiDict:
    """The form with `name` sent twice."""
    doubled = MultiDict({k: v for k, v in data.items() if k != name})
    doubled.add(name, first)
    doubled.add(name, second)
    for key, value in data.items():
        if isinstance(value, list):
            doubled.setlist(key, value)
    return doubled


def test_a_phone_booking_with_its_slot_sent_twice_books_the_first_once(staff_app, sessions, signed_in):
    """V15.3.7: intake reads one value from the body; a copy in the query string is ignored."""
    operator = signed_in("operator")
    data = duplicated(
        intake_form(operator, sessions["first"]), "session_id", sessions["first"], sessions["second"]
    )
    response = operator.post(f"/intake?session_id={sessions['second']}", data=data)
    assert response.status_code == 303
    assert taken(staff_app, sessions) == {"first": 1, "second": 0}
    with staff_app.app_context():
        assert Booking.select().count() == 1


def test_a_move_with_its_target_sent_twice_moves_to_the_first_only(
    public_app, staff_app, sessions, signed_in
):
    """V15.3.7 on both ways of moving a booking: the visitor's manage link and the operator's page."""
    visitor = public_app.test_client()
    assert (
        visitor.post(f"/sessions/{sessions['first']}", data=form_data(visitor, sessions["first"])).status_code
        == 303
    )
    manage = "/manage/" + visitor.get("/booking/complete").text.split('href="/manage/')[1].split('"')[0]
    with public_app.app_context():
        booking = Booking.get()
        ConsultationSession.create(
            venue=booking.session.venue_id,
            date=booking.session.date,
            starts_at=time(15),
            ends_at=time(16),
            capacity=3,
        )
    third = {"third": ConsultationSession.select().order_by(ConsultationSession.id.desc()).get().id}
    token = csrf_from(visitor.get(manage).text)
    data = duplicated({"csrf_token": token}, "session_id", sessions["second"], third["third"])
    moved = visitor.post(f"{manage}/move?session_id={third['third']}", data=data)
    assert moved.status_code == 303
    assert taken(public_app, {**sessions, **third}) == {"first": 0, "second": 1, "third": 0}

    operator = signed_in("operator")
    token = csrf_from(operator.get(f"/intake/{booking.id}/change").text)
    data = duplicated({"csrf_token": token}, "session_id", sessions["first"], third["third"])
    moved = operator.post(f"/intake/{booking.id}/move?session_id={third['third']}", data=data)
    assert moved.status_code == 303
    assert taken(staff_app, {**sessions, **third}) == {"first": 1, "second": 0, "third": 0}


@pytest.mark.parametrize("length,booked", [(64, True), (65, False), (4096, False)])
def test_a_double_submit_key_longer_than_its_column_is_refused_by_the_form(
    public_app, staff_app, sessions, signed_in, length, booked
):
    """A hostile hidden field is the form's to refuse: on PostgreSQL it would otherwise fail the
    insert (a 500), on SQLite be stored whole. Public booking and phone intake alike."""
    public_app.config["PROPAGATE_EXCEPTIONS"] = staff_app.config["PROPAGATE_EXCEPTIONS"] = False
    visitor = public_app.test_client()
    data = form_data(visitor, sessions["first"], idempotency_key="k" * length)
    web = visitor.post(f"/sessions/{sessions['first']}", data=data)
    operator = signed_in("operator")
    phone = operator.post(
        "/intake", data=intake_form(operator, sessions["second"], idempotency_key="p" * length)
    )
    assert (web.status_code, phone.status_code) == ((303, 303) if booked else (200, 200))
    assert taken(public_app, sessions) == ({"first": 1, "second": 1} if booked else {"first": 0, "second": 0})
