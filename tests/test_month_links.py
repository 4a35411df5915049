"""Month-by-month pages end: the public calendar, a venue's sessions and the daily reports offer the
current month and the months around their data, one either side, and nothing else. A crawler
following their previous and next links stops; any other month is the unknown-URL 404."""

from __future__ import annotations

import re
from datetime import date, time

import pytest

from portal.core.dates import business_today
from portal.core.models import ConsultationSession, Venue
from tests.conftest import csrf_from

MONTH_LINK = re.compile(r'href="[^"]*\?month=([0-9]{4}-[0-9]{2})"')


def month(offset: int) -> str:
    """The month `offset` months from this one, as YYYY-MM."""
    today = business_today()
    index = today.year * 12 + today.month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def day_in(offset: int) -> date:
    """The 10th of the month `offset` months from this one."""
    return date.fromisoformat(f"{month(offset)}-10")


def add_sessions(app, *offsets: int) -> int:
    """A venue with a session on the 10th of each month `offsets` away; returns the venue's id."""
    with app.app_context():
        venue = Venue.create(name="架空区役所 相談室", ward="架空区", address="架空市架空区1-1")
        for offset in offsets:
            ConsultationSession.create(
                venue=venue, date=day_in(offset), starts_at=time(10), ends_at=time(11), capacity=3
            )
        return venue.id


def walk(client, start: str) -> set[str]:
    """Every month reached from `start` by following the month links, as a crawler would."""
    seen, pending = set(), [start]
    while pending:
        path = pending.pop()
        response = client.get(path)
        assert response.status_code == 200, path
        found = set(MONTH_LINK.findall(response.text))
        assert len(seen) < 60, "the month links do not end"
        for linked in found - seen:
            seen.add(linked)
            pending.append(f"{path.split('?')[0]}?month={linked}")
    return seen


def test_without_sessions_the_calendar_offers_this_month_only(public_app):
    visitor = public_app.test_client()
    page = visitor.get("/calendar")
    assert page.status_code == 200 and not MONTH_LINK.search(page.text), "no previous or next link"
    assert visitor.get(f"/calendar?month={month(0)}").status_code == 200
    for other in (month(-1), month(1), "1900-01", "2020-06"):
        assert visitor.get(f"/calendar?month={other}").status_code == 404, other


def test_the_calendar_links_from_this_month_to_one_past_the_last_session_and_no_further(public_app):
    add_sessions(public_app, -5, 0, 2)  # a past session is never offered: past days are not bookable
    visitor = public_app.test_client()
    assert walk(visitor, "/calendar") == {month(0), month(1), month(2), month(3)}
    for htmx in ({}, {"HX-Request": "true"}):
        first = visitor.get(f"/calendar?month={month(0)}", headers=htmx).text
        assert f"month={month(-1)}" not in first and f"month={month(1)}" in first
        last = visitor.get(f"/calendar?month={month(3)}", headers=htmx).text
        assert f"month={month(4)}" not in last and f"month={month(2)}" in last
    for outside in (month(-1), month(-5), month(4), "1900-01", "2100-01", "2026-13", "x"):
        assert visitor.get(f"/calendar?month={outside}").status_code == 404, outside


def test_a_session_added_by_staff_opens_its_month_on_the_calendar_at_once(public_app, staff_app, signed_in):
    venue = add_sessions(public_app, 0)
    visitor = public_app.test_client()
    assert visitor.get(f"/calendar?month={month(4)}").status_code == 404
    operator = signed_in("operator")
    token = csrf_from(operator.get(f"/venues/{venue}/sessions/new").text)
    form = {"csrf_token": token, "date": day_in(4).isoformat(), "starts_at": "10:00", "ends_at": "11:00"}
    assert operator.post(f"/venues/{venue}/sessions/new", data={**form, "capacity": "3"}).status_code == 303
    assert visitor.get(f"/calendar?month={month(4)}").status_code == 200
    assert visitor.get(f"/calendar?month={month(5)}").status_code == 200, "one month past the last"


@pytest.mark.parametrize("role", ["operator", "city"])
def test_a_venue_s_sessions_link_one_month_around_the_sessions_and_no_further(staff_app, signed_in, role):
    venue = add_sessions(staff_app, -3, 2)
    staff = signed_in(role)
    assert walk(staff, f"/venues/{venue}/sessions") == {month(n) for n in range(-4, 4)}
    for outside in (month(-5), month(4), "1900-01", "0001-01", "9999-12", "2026-13", "x"):
        assert staff.get(f"/venues/{venue}/sessions?month={outside}").status_code == 404, outside


def test_without_sessions_a_venue_s_sessions_offer_this_month_only(staff_app, signed_in):
    with staff_app.app_context():
        venue = Venue.create(name="架空区役所 相談室", ward="架空区", address="架空市架空区1-1").id
    operator = signed_in("operator")
    page = operator.get(f"/venues/{venue}/sessions")
    assert page.status_code == 200 and not MONTH_LINK.search(page.text)
    assert operator.get(f"/venues/{venue}/sessions?month={month(1)}").status_code == 404


def test_without_reports_the_daily_reports_offer_this_month_only(staff_app, signed_in):
    city = signed_in("city")
    page = city.get("/daily-reports/")
    assert page.status_code == 200 and not MONTH_LINK.search(page.text)
    for outside in (month(-1), month(1), "0001-01", "9999-12"):
        assert city.get(f"/daily-reports/?month={outside}").status_code == 404, outside
