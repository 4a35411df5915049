"""`portal demo-seed`: a realistic season and a current one, exact places, nothing personal in public."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from portal.core import normalise
from portal.core.dates import business_today
from portal.core.models import (
    Booking,
    BookingIndex,
    ConsultationSession,
    Holiday,
    Season,
    User,
    Venue,
    WeeklyPattern,
)
from portal.core.models.reservations import SEAT_HOLDING
from tests.crawling import crawl

HOLIDAYS_2020 = {
    date(2020, 7, 23),
    date(2020, 7, 24),
    date(2020, 8, 10),
    date(2020, 9, 21),
    date(2020, 9, 22),
}


def in_season(season: Season):
    return ConsultationSession.date.between(season.starts_on, season.ends_on)


def spellings(phone: str) -> set[str]:
    """A number as typed (03-0123-4567), in digits, and its local part alone."""
    return {phone, normalise.phone(phone), phone.split("-", 1)[1]} if "-" in phone else {phone}


def test_demo_seed_fills_two_seasons_and_the_public_site_shows_no_personal_data(
    staff_app, public_app, portal_cli
):
    seeded = portal_cli("demo-seed")
    assert seeded.exit_code == 0, seeded.output
    assert sorted(line.split("\t")[0] for line in seeded.output.splitlines()[:4]) == [
        "admin",
        "city",
        "consultant",
        "operator",
    ]
    today = business_today()
    with staff_app.app_context():
        assert Venue.select().count() == 16 and WeeklyPattern.select().count() >= 30
        assert len({v.ward for v in Venue.select()}) == 8
        assert all(v.map_url.startswith("https://www.openstreetmap.org/?mlat=") for v in Venue.select())
        past, current = Season.select().order_by(Season.starts_on)
        assert (past.starts_on, past.ends_on) == (date(2020, 6, 15), date(2020, 10, 31))
        assert today < current.starts_on and 19 * 7 < (current.ends_on - current.starts_on).days < 21 * 7
        holidays = {h.date for h in Holiday.select()}
        assert holidays >= HOLIDAYS_2020
        for season in (past, current):
            sessions = list(ConsultationSession.select().where(in_season(season)))
            assert len(sessions) > 400
            assert not {s.date for s in sessions} & holidays
        bookings = list(Booking.select(Booking, ConsultationSession).join(ConsultationSession))
        assert 250 <= len(bookings) <= 350
        held = Counter(b.session_id for b in bookings if b.status in SEAT_HOLDING)
        for session in ConsultationSession.select():
            assert session.taken == held[session.id] <= session.capacity, session.id
        past_statuses = Counter(b.status for b in bookings if b.session.date < today)
        assert set(past_statuses) == {"attended", "no-show", "cancelled"}
        assert {"requested", "confirmed"} <= {b.status for b in bookings if b.session.date > today}
        assert {b.channel for b in bookings} == {"web", "phone"}
        indexes = {row.booking_id: row for row in BookingIndex.select()}
        assert all(indexes[b.id].phone_index and indexes[b.id].kana_index for b in bookings)
        assert User.select().count() == 4
        unsealer = staff_app.extensions["portal.unsealer"]
        people = [unsealer.open(b.sealed) for b in bookings]
        booked_out = [s for s in ConsultationSession.select().where(in_season(current)) if not s.places_left]
        assert len(booked_out) >= 3
        open_with_places = {
            f"/sessions/{s.id}"
            for s in ConsultationSession.select().where(in_season(current))
            if s.places_left and s.status == "open"
        }
        last_month = current.ends_on.replace(day=1)
    secrets = set()
    for person in people:
        secrets |= {person["business_name"], person["contact_name"], person["contact_kana"]}
        secrets |= {person["email"]} - {""}
        secrets |= spellings(person["phone"])
        secrets |= {person.get("business_kana", "")} - {""}
    assert len(secrets) > 800 and any("@example.jp" in s for s in secrets) and any("-" in s for s in secrets)

    # It ends: the month links stop around the sessions. It stays in Japanese, whose words it checks.
    pages = crawl(public_app.test_client(), lambda path: not path.startswith("/language/"))
    assert open_with_places <= set(pages), "every bookable session was visited"
    linked = {parse_qs(urlsplit(path).query)["month"][0] for path in pages if "month=" in path}
    offered, month = set(), today.replace(day=1)
    while month <= last_month + timedelta(days=31):  # this month to the one after the season's last
        offered.add(month.strftime("%Y-%m"))
        month = (month + timedelta(days=31)).replace(day=1)
    assert linked == offered, "no month in the past, none far past the season"
    assert any("満席" in text for path, text in pages.items() if path.startswith("/calendar"))
    for path, text in pages.items():
        assert not any(secret in text for secret in secrets), (path, [s for s in secrets if s in text][:3])

    again = portal_cli("demo-seed")
    assert again.exit_code == 0 and "nothing seeded" in again.output
    with staff_app.app_context():
        assert Booking.select().count() == len(bookings) and Venue.select().count() == 16
