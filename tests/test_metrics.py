"""/metrics: the figures for a scraper holding the token, the 404 for anyone else, and nothing in
them that names a person or an object."""

from __future__ import annotations

import re

import pytest

from portal import create_app
from portal.core.settings import ConfigError, load_settings

TOKEN = "metrics-token-of-this-deployment-0123456789"


@pytest.fixture
def metered(config):
    return create_app("staff", {**config, "METRICS_TOKEN": TOKEN, "TESTING": True})


def scrape(app, token: str | None = TOKEN, scheme: str = "Bearer"):
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return app.test_client().get("/metrics", headers=headers)


def test_the_figures_answer_only_the_token(metered, config):
    for refused in (
        scrape(metered, None),
        scrape(metered, TOKEN[:-1] + "x"),
        scrape(metered, scheme="Basic"),
    ):
        assert refused.status_code == 404 and b"madoguchi_" not in refused.data
    unmetered = create_app("staff", {**config, "TESTING": True})
    assert scrape(unmetered).status_code == 404, "no token configured: no metrics at all"
    answered = scrape(metered)
    assert answered.status_code == 200 and answered.mimetype == "text/plain"
    assert answered.headers["Cache-Control"] == "no-store"


def test_requests_are_counted_by_endpoint_and_timed(metered):
    client = metered.test_client()
    for _ in range(3):
        client.get("/login")
    client.get("/records/12345")  # anonymous: the 404
    client.open("/login", method="MADEUP")  # a method of a client's own: no label of its own
    text = scrape(metered).text
    assert 'madoguchi_requests_total{endpoint="auth.login",method="GET",status="2xx"} 3.0' in text
    assert 'madoguchi_requests_total{endpoint="records.view",method="GET",status="4xx"} 1.0' in text
    assert 'madoguchi_request_seconds_count{endpoint="auth.login"} 3.0' in text
    assert "12345" not in text, "ids never become labels"
    assert "MADEUP" not in text and 'method="other"' in text


def test_store_figures_are_read_when_scraped(metered, signed_in):
    from portal.core.models.base import utcnow
    from portal.staff.self_checks.runs import Check, Finding, Severity, record

    with metered.app_context():
        record(
            Check.EXPOSURE,
            utcnow(),
            [Finding(Severity.SERIOUS, "uploads served without the gate", "/uploads/")],
        )
    text = scrape(metered).text
    assert 'madoguchi_self_check_serious_findings{check="exposure"} 1.0' in text
    assert re.search(r'madoguchi_mail_waiting\{kind="manage_link"\} \d', text)
    assert "madoguchi_bookings" in text


def test_a_short_token_is_refused_at_start():
    with pytest.raises(ConfigError, match="PORTAL_METRICS_TOKEN"):
        load_settings("staff", {"METRICS_TOKEN": "short"})
