"""Failures show a generic page with an incident id; personal data reaches no log or page."""

from __future__ import annotations

import logging
import re

from portal.core.models import AuditEvent
from tests.conftest import csrf_from

CANARY_PHONE = "090-0000-4242"
CANARY_EMAIL = "canary-4242@example.jp"


def test_a_forced_exception_shows_an_incident_id_and_no_trace(staff_app, signed_in, caplog):
    def broken():
        raise ValueError(f"lookup failed for {CANARY_PHONE}")

    staff_app.view_functions["home.index"] = broken
    staff_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = signed_in("city")
    with caplog.at_level(logging.ERROR):
        response = client.get("/")
    assert response.status_code == 500
    incident = re.search(r"<code>([0-9a-f]{12})</code>", response.text).group(1)
    for leak in ("Traceback", "ValueError", CANARY_PHONE, "portal/", "SELECT"):
        assert leak not in response.text
    assert incident in caplog.text and "ValueError" in caplog.text
    assert CANARY_PHONE not in caplog.text
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow, noarchive"


def test_canary_sign_in_data_reaches_no_log_audit_event_or_url(staff_app, caplog):
    client = staff_app.test_client()
    with caplog.at_level(logging.DEBUG):
        page = client.get("/login")
        response = client.post(
            "/login",
            data={"csrf_token": csrf_from(page.text), "email": CANARY_EMAIL, "password": CANARY_PHONE},
        )
    assert response.status_code == 200
    assert CANARY_PHONE not in response.text, "a password is never sent back"
    assert f'value="{CANARY_EMAIL}"' in response.text, "the typed address comes back to be corrected"
    with staff_app.app_context():
        stored = repr([e.__data__ for e in AuditEvent.select()])
    for canary in (CANARY_EMAIL, CANARY_PHONE):
        assert canary not in caplog.text and canary not in stored
    assert "Location" not in response.headers
