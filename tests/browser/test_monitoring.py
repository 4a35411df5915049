"""The monitoring dashboard in a real browser: changing the filter swaps the figures in place
(the page is not loaded again, the address follows the filter), the page passes axe-core, and
on a phone nothing but the tables' and charts' own boxes scrolls sideways. Screenshots go to
PORTAL_SCREENSHOTS if it is set."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from portal.core.models import User
from tests.browser.conftest import (
    SignedIn,
    assert_accessible,
    create_account,
    new_instance,
    serve_staff,
    staff_models,
)
from tests.browser.test_staff_pages import shot
from tests.test_monitoring import END, START, expected, seed

WARD = "架空西区"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """A staff instance holding the seeded season; yields its sign-in, the city account and the season."""
    instance, env = new_instance(tmp_path_factory, "monitoring")
    city = create_account(env, "monitor@example.jp", "city", "架空市 産業観光局")
    create_account(env, "adviser@example.jp", "consultant", "架空県行政書士会")
    models = staff_models(instance)
    with models.app_context():
        consultant = User.get(User.email == "adviser@example.jp").id
    season = seed(models, consultant)
    with serve_staff(env) as base:
        yield SignedIn(base), city, season


def test_a_new_filter_swaps_the_figures_in_place(dashboard, page):
    desk, city, season = dashboard
    desk.open(page, city, f"/monitoring/?from={START}&to={END}")
    booked = page.locator('[data-figure="booked"]')
    expect(booked).to_have_text(str(expected(season, START, END)["totals"]["booked"]))
    assert_accessible(page)
    shot(page, "monitoring-1280")
    page.evaluate("window.samePage = true")

    with page.expect_request(lambda request: "ward=" in request.url and request.headers.get("hx-request")):
        page.get_by_label("区", exact=True).select_option(WARD)
    west = expected(season, START, END, ward=WARD)["totals"]
    expect(booked).to_have_text(str(west["booked"]))
    expect(page.locator('[data-figure="walk-in"]')).to_have_text(str(west["walk-in"]))
    assert page.evaluate("window.samePage") is True
    assert "ward=" in page.url
    assert page.locator("#venue-use-table tbody tr").count() == 1
    assert_accessible(page)


def test_on_a_phone_only_the_tables_and_charts_scroll(dashboard, new_page):
    desk, city, _ = dashboard
    page = new_page(viewport={"width": 390, "height": 844})
    desk.open(page, city, f"/monitoring/?from={START}&to={END}")
    expect(page.locator("#bookings-table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for box in page.locator(".table-scroll, .chart").all():
        assert box.evaluate("e => e.getBoundingClientRect().right") <= 390
    shot(page, "monitoring-390")
