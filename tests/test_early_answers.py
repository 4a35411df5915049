"""Calendar answers given again before the full stack: the same bytes, only while nothing changed."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from flask import request, request_started

from portal.core.dates import business_today
from portal.public import early_answers
from tests import test_calendar_cache
from tests.test_calendar_cache import book, month, set_capacity

consultation = test_calendar_cache.consultation  # the fixture: a session of five places next week

PAGE = f"/calendar?{urlencode({'month': month(), 'ward': '架空南区'})}"
# What the full stack adds to every public answer (portal.core.headers), written out again.
SECURITY_HEADERS = {
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
    "Permissions-Policy",
}


@contextlib.contextmanager
def full_stack(app):
    """Count the requests that enter Flask (the early answers never do)."""
    entered: list[str] = []

    def note(sender, **_extra) -> None:
        entered.append(request.full_path)

    request_started.connect(note, app)
    try:
        yield entered
    finally:
        request_started.disconnect(note, app)


def answer(client, path: str = PAGE, method: str = "GET", cookies: dict | None = None, **options):
    """Status, every header in order, and body, as the server hands them over."""
    for name, value in (cookies or {}).items():
        client.set_cookie(name, value)
    response = client.open(path, method=method, **options)
    return response.status, list(response.headers), response.data


VARIANTS = {
    "page": {},
    "gzip": {"headers": {"Accept-Encoding": "gzip, deflate, br"}},
    "htmx fragment": {"headers": {"HX-Request": "true"}},
    "boosted link": {"headers": {"HX-Request": "true", "HX-Boosted": "true"}},
    "English": {"cookies": {"lang": "en"}},
    # As waitress hands over a request a trusted proxy took over TLS: only the scheme differs.
    "over TLS": {"environ_overrides": {"wsgi.url_scheme": "https"}},
    "under a path prefix": {"environ_overrides": {"SCRIPT_NAME": "/madoguchi"}},
    "another ward": {"path": f"/calendar?{urlencode({'month': month(), 'ward': '架空北区'})}"},
    "first month with a place": {"path": "/calendar"},
}


def test_each_kind_of_request_is_answered_by_the_full_stack_once_then_the_same_bytes_early(
    public_app, consultation
):
    with full_stack(public_app) as entered:
        for name, options in VARIANTS.items():
            client = public_app.test_client()
            first = answer(client, **options)
            assert len(entered) == 1, f"{name}: its first answer is the full stack's, never another kind's"
            again = answer(client, **options)
            assert len(entered) == 1, f"{name}: the second is given early"
            assert again == first, name
            status, headers, _body = first
            assert status == "200 OK" and SECURITY_HEADERS <= {header for header, _ in headers}, name
            assert "Set-Cookie" not in dict(headers), name
            assert ("Strict-Transport-Security" in dict(headers)) == (name == "over TLS")
            entered.clear()


def test_a_browser_holding_the_page_gets_the_full_stacks_304_early(public_app, consultation):
    client = public_app.test_client()
    tag = dict(answer(client)[1])["ETag"]
    with full_stack(public_app) as entered:
        first = answer(client, headers={"If-None-Match": tag})
        again = answer(client, headers={"If-None-Match": tag})
    assert first[0] == "304 NOT MODIFIED" and first[2] == b"" and again == first
    assert len(entered) == 1
    assert dict(first[1])["ETag"] == tag and SECURITY_HEADERS <= dict(first[1]).keys()


def test_a_change_of_places_goes_to_the_full_stack_at_once(public_app, consultation):
    reader = public_app.test_client()
    answer(reader)
    with full_stack(public_app) as entered:
        assert "残り5席" in reader.get(PAGE).text and entered == []
        book(public_app.test_client(), consultation)
        entered.clear()
        assert "残り4席" in reader.get(PAGE).text and len(entered) == 1
        set_capacity(public_app, consultation, 0)
        assert "満席" in reader.get(PAGE).text and len(entered) == 2
        assert "満席" in reader.get(PAGE).text and len(entered) == 2


def test_a_change_that_skips_the_counter_is_not_seen_early_either(public_app, consultation):
    reader = public_app.test_client()
    answer(reader)
    set_capacity(public_app, consultation, 8, announce=False)
    with full_stack(public_app) as entered:
        assert "残り5席" in reader.get(PAGE).text and entered == [], "so answers are really kept"


def test_a_new_business_day_goes_to_the_full_stack(public_app, consultation, monkeypatch):
    reader = public_app.test_client()
    answer(reader)
    tomorrow = business_today() + timedelta(days=1)
    monkeypatch.setattr(early_answers, "business_today", lambda: tomorrow)
    with full_stack(public_app) as entered:
        answer(reader)
    assert len(entered) == 1


def test_a_visitor_holding_a_session_always_gets_the_full_stack(public_app, consultation):
    visitor = public_app.test_client()
    visitor.get(f"/sessions/{consultation}")  # the booking form's token lives in the session cookie
    assert visitor.get_cookie("madoguchi-public") is not None
    answer(public_app.test_client())  # an anonymous visitor's answer is kept
    with full_stack(public_app) as entered:
        for _ in range(2):
            status, _headers, _body = answer(visitor)
            assert status == "200 OK"
    assert len(entered) == 2


@pytest.mark.parametrize(
    ("method", "path", "options"),
    [
        ("POST", PAGE, {}),
        ("HEAD", PAGE, {}),
        ("GET", PAGE, {"headers": {"Host": "elsewhere.example"}}),
        ("GET", "/" + PAGE.removeprefix("/calendar"), {}),
        ("GET", "/healthz", {}),
        ("GET", "/venues", {}),
        ("GET", "/sessions/{session}", {}),
        ("GET", "/calendar?month=0001-01", {}),
    ],
)
def test_posts_heads_other_pages_and_refusals_are_never_answered_early(
    public_app, consultation, method, path, options
):
    client = public_app.test_client()
    path = path.format(session=consultation)
    kept = answer(client)
    with full_stack(public_app) as entered:
        for _ in range(3):
            assert answer(client, path, method, **options) != kept
    assert len(entered) == 3
    assert [kept_answer.status for kept_answer in public_app.wsgi_app.answers.bodies()] == ["200 OK"]


def _sets_a_cookie(response):
    response.set_cookie("tracker", "1")
    return response


def _fails(response):
    response.status_code = 500
    return response


@pytest.mark.parametrize("hook", [_sets_a_cookie, _fails])
def test_an_answer_that_sets_a_cookie_or_is_an_error_is_never_kept(public_app, consultation, hook):
    public_app.after_request(hook)
    client = public_app.test_client()
    with full_stack(public_app) as entered:
        answers = [answer(client) for _ in range(2)]
    assert len(entered) == 2 and public_app.wsgi_app.answers.bodies() == []
    first, second = answers
    assert first == second and (first[0] == "500 INTERNAL SERVER ERROR" or "Set-Cookie" in dict(first[1]))


def test_a_fault_reading_the_counter_leaves_the_answer_to_the_full_stack(
    public_app, consultation, monkeypatch
):
    client = public_app.test_client()
    kept = answer(client)

    def broken(_db):
        raise OSError("the database is gone")

    monkeypatch.setattr(early_answers, "availability", SimpleNamespace(current=broken))
    with full_stack(public_app) as entered:
        assert answer(client) == kept
    assert len(entered) == 1


@pytest.fixture
def small_cache_app(monkeypatch, config, request):
    """The public instance with room for only a few calendar answers."""
    monkeypatch.setenv("PORTAL_CALENDAR_CACHE_BYTES", "24000")
    return request.getfixturevalue("public_app")


def test_the_kept_answers_stay_within_their_byte_bound(small_cache_app):
    client = small_cache_app.test_client()
    months = [(business_today().replace(day=1) + timedelta(days=31 * n)).strftime("%Y-%m") for n in range(2)]
    for index in range(40):
        client.get(f"/calendar?month={months[index % 2]}&visit={index}", headers={"HX-Request": "true"})
    kept = small_cache_app.wsgi_app.answers.bodies()
    assert sum(kept_answer.size for kept_answer in kept) <= 24000
    assert 0 < len(kept) < 40, "the oldest were let go"


def test_a_cache_of_zero_bytes_gives_nothing_early(monkeypatch, config, request):
    monkeypatch.setenv("PORTAL_CALENDAR_CACHE_BYTES", "0")
    app = request.getfixturevalue("public_app")
    request.getfixturevalue("consultation")
    with full_stack(app) as entered:
        for _ in range(3):
            answer(app.test_client())
    assert len(entered) == 3 and app.wsgi_app.answers.bodies() == []
