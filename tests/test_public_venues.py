"""Public venue pages: where a venue is, how to get there, its sessions with places; cacheable."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from portal.core.dates import business_today
from portal.core.models import ConsultationSession, Venue
from tests.conftest import change_settings


@pytest.fixture
def venues(public_app):
    """Two active venues in two wards and an inactive one; sessions past, open, full and closed."""
    week = business_today() + timedelta(days=7)
    with public_app.app_context():
        north = Venue.create(
            name="架空北区役所 会議室",
            ward="架空北区",
            address="架空市架空北区1-2-3",
            access_notes="架空北駅から徒歩3分\n2階の受付へ",
            what_to_bring="決算書の写し",
            map_url="https://maps.example.jp/?q=north",
        )
        south = Venue.create(
            name="架空南公民館", ward="架空南区", address="架空市架空南区4-5", map_url="javascript:alert(1)"
        )
        closed = Venue.create(name="閉鎖した会場", ward="架空北区", address="-", active=False)

        def session(venue, day, hour, **extra):
            return ConsultationSession.create(
                venue=venue, date=day, starts_at=time(hour), ends_at=time(hour + 1), capacity=3, **extra
            ).id

        ids = {
            "open": session(north, week, 10),
            "full": session(north, week, 13, taken=3),
            "closed": session(north, week, 15, status="closed"),
            "past": session(north, date(2020, 6, 15), 10),
            "later": session(north, business_today() + timedelta(days=200), 10),
            "south": session(south, week, 10),
            "hidden": session(closed, week, 10),
        }
    return north.id, south.id, closed.id, ids


def test_the_venue_list_groups_venues_by_ward(public_app, venues):
    north, south, closed, _ = venues
    page = public_app.test_client().get("/venues")
    assert page.status_code == 200
    text = page.text
    assert text.index("架空北区") < text.index("架空北区役所 会議室") < text.index("架空南区")
    assert f'href="/venues/{north}"' in text and f'href="/venues/{south}"' in text
    assert "閉鎖した会場" not in text and f'href="/venues/{closed}"' not in text


def test_a_venue_page_shows_how_to_get_there_and_its_sessions_with_places(public_app, venues):
    north, _, _, ids = venues
    page = public_app.test_client().get(f"/venues/{north}")
    assert page.status_code == 200
    text = page.text
    for shown in ("架空市架空北区1-2-3", "架空北駅から徒歩3分", "決算書の写し", "0120-000-000"):
        assert shown in text
    assert 'href="https://maps.example.jp/?q=north"' in text and 'href="tel:0120000000"' in text
    assert "<iframe" not in text and text.count("<script") == 2  # htmx and our own script, nothing else
    assert f'href="/sessions/{ids["open"]}"' in text and "残り3席" in text
    assert "満席" in text and f'href="/sessions/{ids["full"]}"' not in text
    for absent in ("closed", "past", "later", "south"):
        assert f"/sessions/{ids[absent]}" not in text


def test_a_hostile_map_url_becomes_a_map_search_for_the_address(public_app, venues):
    _, south, _, _ = venues
    text = public_app.test_client().get(f"/venues/{south}").text
    assert "javascript:" not in text
    assert 'href="https://www.openstreetmap.org/search?query=%E6%9E%B6' in text


def test_the_centre_phone_is_a_setting(public_app, venues):
    change_settings(public_app, centre_phone="0120-111-222")
    text = public_app.test_client().get(f"/venues/{venues[0]}").text
    assert "0120-111-222" in text and 'href="tel:0120111222"' in text


def test_inactive_and_unknown_venues_are_not_found(public_app, venues):
    _, _, closed, _ = venues
    client = public_app.test_client()
    assert client.get(f"/venues/{closed}").status_code == 404
    assert client.get("/venues/999999").status_code == 404
    assert client.get("/venues/abc").status_code == 404


@pytest.mark.parametrize("path", ["/venues", "/venues/{north}"])
def test_venue_pages_set_no_cookie_and_carry_no_form_token(public_app, venues, path):
    response = public_app.test_client().get(path.format(north=venues[0]))
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
    assert "csrf" not in response.text and "<form" not in response.text.split("</header>")[1]
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_venue_pages_are_reached_from_the_front_page_calendar_and_session_pages(public_app, venues):
    north, _, _, ids = venues
    client = public_app.test_client()
    assert 'href="/venues"' in client.get("/").text
    month = (business_today() + timedelta(days=7)).strftime("%Y-%m")
    calendar = client.get(f"/calendar?month={month}").text
    assert 'href="/venues"' in calendar and f'href="/venues/{north}"' in calendar
    assert f'href="/venues/{north}"' in client.get(f"/sessions/{ids['open']}").text


def test_the_sitemap_lists_active_venue_pages(public_app, venues):
    north, south, closed, _ = venues
    sitemap = public_app.test_client().get("/sitemap.xml").text
    assert "http://127.0.0.1:8000/venues</loc>" in sitemap
    assert f"/venues/{north}</loc>" in sitemap and f"/venues/{south}</loc>" in sitemap
    assert f"/venues/{closed}</loc>" not in sitemap
