"""The public calendar served from rendered bodies kept under the availability counter."""

from __future__ import annotations

import gzip
import http.cookiejar
import re
import urllib.request
from datetime import date, time, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest

from portal.core import availability
from portal.core.database import write_transaction
from portal.core.dates import business_today
from portal.core.models import ConsultationSession, Venue
from tests.conftest import csrf_from
from tests.servers import instance_env, waitress
from tests.test_reservations import FORM, form_data

MANAGE_LINK = re.compile(r'href="(/manage/[^"]+)"')


@pytest.fixture
def consultation(public_app) -> int:
    """A session with five places next week, and a full one in another ward the same day."""
    day = business_today() + timedelta(days=7)
    with public_app.app_context():
        north = Venue.create(name="架空北区民センター", ward="架空北区", address="架空市架空北区2-2")
        ConsultationSession.create(
            venue=north, date=day, starts_at=time(13, 0), ends_at=time(14, 0), capacity=0
        )
        south = Venue.create(name="架空南区役所", ward="架空南区", address="架空市架空南区1-1")
        created = ConsultationSession.create(
            venue=south, date=day, starts_at=time(10, 0), ends_at=time(11, 0), capacity=5
        )
        return created.id


def month() -> str:
    return (business_today() + timedelta(days=7)).strftime("%Y-%m")


def calendar(client, htmx: bool = False, ward: str = "架空南区", **headers):
    """The calendar for the consultation's month in one ward, as a page or as the htmx fragment;
    a conditional request's status is the caller's to check."""
    if htmx:
        headers["HX-Request"] = "true"
    response = client.get(f"/calendar?{urlencode({'month': month(), 'ward': ward})}", headers=headers)
    assert "Set-Cookie" not in response.headers
    if "If-None-Match" not in headers:
        assert response.status_code == 200
    return response


def places_shown(client) -> set[str]:
    """What the page and the fragment say about places; both must agree."""
    shown = {re.search(r"残り\d+席|満席", calendar(client, htmx).text).group(0) for htmx in (False, True)}
    assert len(shown) == 1, shown
    return shown


def set_capacity(app, session_id: int, capacity: int, announce: bool = True) -> None:
    with app.app_context(), write_transaction():
        ConsultationSession.update(capacity=capacity).where(ConsultationSession.id == session_id).execute()
        if announce:
            availability.changed()


def book(client, session_id: int) -> str:
    """Book through the form; returns the manage link's path."""
    response = client.post(f"/sessions/{session_id}", data=form_data(client, session_id))
    assert response.status_code == 303
    return MANAGE_LINK.search(client.get("/booking/complete").text).group(1)


def test_a_booking_shows_on_the_next_request(public_app, consultation):
    reader = public_app.test_client()
    assert places_shown(reader) == {"残り5席"}
    assert places_shown(reader) == {"残り5席"}, "now from the kept bodies"
    book(public_app.test_client(), consultation)
    assert places_shown(reader) == {"残り4席"}


def test_a_cancel_shows_on_the_next_request(public_app, consultation):
    reader, visitor = public_app.test_client(), public_app.test_client()
    manage = book(visitor, consultation)
    assert places_shown(reader) == {"残り4席"}
    page = visitor.get(f"{manage}/cancel")
    assert visitor.post(f"{manage}/cancel", data={"csrf_token": csrf_from(page.text)}).status_code == 303
    assert places_shown(reader) == {"残り5席"}


def test_a_capacity_change_shows_on_the_next_request(public_app, consultation):
    reader = public_app.test_client()
    assert places_shown(reader) == {"残り5席"}
    set_capacity(public_app, consultation, 8)
    assert places_shown(reader) == {"残り8席"}
    set_capacity(public_app, consultation, 0)
    assert places_shown(reader) == {"満席"}


def test_a_change_that_skips_the_counter_is_not_seen_so_the_bodies_are_really_kept(public_app, consultation):
    reader = public_app.test_client()
    assert places_shown(reader) == {"残り5席"}
    set_capacity(public_app, consultation, 8, announce=False)
    assert places_shown(reader) == {"残り5席"}, "served from the kept bodies"
    with public_app.app_context(), write_transaction():
        availability.changed()
    assert places_shown(reader) == {"残り8席"}


def test_an_unchanged_calendar_is_answered_304_and_any_change_gives_a_new_tag(public_app, consultation):
    browser = public_app.test_client()
    first = calendar(browser)
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache"
    assert {"HX-Request", "Cookie"} <= set(first.vary)
    again = calendar(browser, **{"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert calendar(browser, htmx=True, **{"If-None-Match": tag}).status_code == 200, "the fragment differs"
    english = public_app.test_client()
    english.set_cookie("lang", "en")
    assert calendar(english, **{"If-None-Match": tag}).status_code == 200, "so does the language"
    book(public_app.test_client(), consultation)
    changed = calendar(browser, **{"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag and "残り4席" in changed.text


def test_browsers_that_take_gzip_get_the_same_page_compressed(public_app, consultation):
    client = public_app.test_client()
    plain = calendar(client)
    packed = calendar(client, **{"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in packed.vary and packed.headers["ETag"] != plain.headers["ETag"]
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data)
    again = calendar(client, **{"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


@pytest.fixture
def small_cache_app(monkeypatch, config, request):
    """The public instance with room for only a few calendar pages."""
    monkeypatch.setenv("PORTAL_CALENDAR_CACHE_BYTES", "24000")
    return request.getfixturevalue("public_app")


def test_the_kept_bodies_stay_within_their_byte_bound(small_cache_app):
    year = business_today().year + 1
    with small_cache_app.app_context():
        venue = Venue.create(name="架空南区役所", ward="架空南区", address="架空市架空南区1-1")
        ConsultationSession.create(
            venue=venue, date=date(year, 12, 1), starts_at=time(10), ends_at=time(11), capacity=5
        )
    client = small_cache_app.test_client()
    pages = small_cache_app.extensions["portal.calendar_pages"]
    for number in range(1, 13):
        for htmx in ({}, {"HX-Request": "true"}):
            assert client.get(f"/calendar?month={year}-{number:02d}", headers=htmx).status_code == 200
    kept = pages.bodies()
    assert sum(len(body) for body in kept) <= 24000
    assert 0 < len(kept) < 24, "the oldest were let go"
    assert client.get(f"/calendar?month={year}-12", headers={"HX-Request": "true"}).data in kept


def test_a_cache_of_zero_bytes_keeps_nothing_and_still_serves(monkeypatch, config, request):
    monkeypatch.setenv("PORTAL_CALENDAR_CACHE_BYTES", "0")
    app = request.getfixturevalue("public_app")
    request.getfixturevalue("consultation")
    assert places_shown(app.test_client()) == {"残り5席"}
    assert app.extensions["portal.calendar_pages"].bodies() == []


@pytest.mark.parametrize("value", ["0001-01", "9999-12", "2026-13", "x", "-1-1", "2026-1", "+2026-01"])
def test_months_at_and_past_the_ends_of_the_calendar_are_not_found(public_app, value):
    assert public_app.test_client().get(f"/calendar?month={value}").status_code == 404


def test_no_personal_data_is_ever_kept(public_app, consultation):
    visitor = public_app.test_client()
    manage = book(visitor, consultation)
    reference = visitor.get(manage).text
    english = public_app.test_client()
    english.set_cookie("lang", "en")
    for client in (public_app.test_client(), english):
        for htmx in (False, True):
            for coding in ("identity", "gzip"):
                calendar(client, htmx, **{"Accept-Encoding": coding})
                calendar(client, htmx, ward="", **{"Accept-Encoding": coding})
    bodies = public_app.extensions["portal.calendar_pages"].bodies()
    answers = [kept.body for kept in public_app.wsgi_app.answers.bodies()]  # given again early
    assert len(bodies) == len(answers) == 16
    kept = [gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b for b in bodies + answers]
    assert sum("架空北区民センター".encode() in body for body in kept) == 16
    secrets = [*(v for v in FORM.values() if isinstance(v, str) and len(v) > 1), "09012345678", manage]
    secrets.append(re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}", reference).group(0))
    for body in kept:
        for value in secrets:
            assert value.encode() not in body


def http_book(base: str, session_id: int) -> str:
    """A visitor's browser booking through a server; returns the page it ends on."""
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = browser.open(f"{base}/sessions/{session_id}", timeout=10).read().decode()
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
    data = {**FORM, "csrf_token": csrf_from(page), "idempotency_key": key}
    return browser.open(f"{base}/sessions/{session_id}", urlencode(data, doseq=True).encode()).read().decode()


def http_places(base: str) -> str:
    query = urlencode({"month": month(), "ward": "架空南区"})
    with urllib.request.urlopen(f"{base}/calendar?{query}", timeout=10) as response:
        return re.search(r"残り\d+席|満席", response.read().decode()).group(0)


def test_two_processes_on_one_store_each_see_a_booking_made_through_the_other(config, consultation):
    env = instance_env(
        Path(config["INSTANCE_PATH"]),
        PORTAL_PUBLIC_DATABASE_URL=config["PUBLIC_DATABASE_URL"],
        PORTAL_SEAL_PUBLIC_KEY=str(Path(config["INSTANCE_PATH"]) / "public" / "seal.pub"),
        PORTAL_KEY_DIR="/nonexistent",
    )
    with waitress("public", env) as first, waitress("public", env) as second:
        for server in (first, second, first, second):
            assert http_places(server) == "残り5席"
        assert "/manage/" in http_book(first, consultation)
        assert http_places(second) == "残り4席"
        assert "/manage/" in http_book(second, consultation)
        assert (http_places(first), http_places(second)) == ("残り3席", "残り3席")
