"""Attempts to get past the form token or the booking rate limit are recorded, in the staff audit
chain (the public zone's through its own event log), without what was posted, and a flood of them
adds one event a minute carrying the count, not one event per attempt."""

from __future__ import annotations

from datetime import time, timedelta
from types import SimpleNamespace

import pytest

from portal.core import refusal_log
from portal.core.dates import business_today
from portal.core.models import AuditEvent, ConsultationSession, PublicEvent, Venue
from portal.staff import audit
from portal.staff.audit.keys import audit_keys
from portal.staff.audit.verify import verify
from tests.conftest import change_settings
from tests.test_reservations import FORM, form_data

CANARY = "canary-7f3a9c@example.jp"


@pytest.fixture
def consultation(public_app) -> int:
    """One open session a week ahead."""
    with public_app.app_context():
        venue = Venue.create(name="架空区役所 会議室A", ward="架空区", address="架空市架空区1-1")
        day = business_today() + timedelta(days=7)
        return ConsultationSession.create(
            venue=venue, date=day, starts_at=time(10), ends_at=time(11), capacity=5
        ).id


@pytest.fixture
def clock(monkeypatch) -> list[float]:
    """The refusal log's clock, moved by the test."""
    now = [1000.0]
    monkeypatch.setattr(refusal_log, "time", SimpleNamespace(monotonic=lambda: now[0]))
    return now


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq))


def test_forged_form_tokens_on_the_staff_instance_are_audited_one_event_a_minute(
    staff_app, signed_in, accounts, clock
):
    city = signed_in("city")
    for _ in range(40):
        assert city.post("/session/keepalive", headers={"X-CSRFToken": "forged"}).status_code == 400
    anonymous = staff_app.test_client()
    for _ in range(30):
        attempt = {"csrf_token": "forged", "email": CANARY, "password": "whatever it is"}
        assert anonymous.post("/login", data=attempt).status_code == 400
    signed = _events(staff_app, refusal_log.CSRF)
    assert [(e.actor_id, e.object_type, e.outcome) for e in signed] == [
        (accounts["city"].id, "auth.keepalive", "1"),
        (None, "auth.login", "1"),
    ]

    clock[0] += refusal_log.INTERVAL
    assert city.post("/session/keepalive", headers={"X-CSRFToken": "forged"}).status_code == 400
    assert [e.outcome for e in _events(staff_app, refusal_log.CSRF)] == ["1", "1", "40"]
    with staff_app.app_context():
        for event in AuditEvent.select():
            assert CANARY not in str(event.__data__) and "forged" not in str(event.__data__)


def test_public_refusals_reach_the_audit_chain_through_the_public_event_log(
    staff_app,
    public_app,
    consultation,
    clock,
):
    change_settings(public_app, booking_rate_limit="3 per minute")
    visitor = public_app.test_client()
    for _ in range(25):
        assert visitor.post(f"/sessions/{consultation}", data={**FORM, "email": CANARY}).status_code == 400
    statuses = [
        visitor.post(
            f"/sessions/{consultation}", data=form_data(visitor, consultation, business_name="")
        ).status_code
        for _ in range(10)
    ]
    assert statuses[:3] == [200, 200, 200] and set(statuses[3:]) == {429}
    honeypot = public_app.test_client()  # another visitor, under the limit
    honeypot.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    honeypot.post(
        f"/sessions/{consultation}", data=form_data(honeypot, consultation, website="http://spam.example")
    )
    with public_app.app_context():
        waiting = [
            (e.action, e.object_type, e.outcome) for e in PublicEvent.select().order_by(PublicEvent.id)
        ]
    assert waiting == [
        (refusal_log.CSRF, "public.session_page", "1"),
        (refusal_log.RATE_LIMIT, "public.session_page", "1"),
        ("booking.honeypot", "session", "refused"),
    ]

    # The staff instance's next event chains them; the chain still verifies.
    with staff_app.test_request_context(), staff_app.app_context():
        audit.record("test.marker")
        chained = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
        assert chained[-4:] == [
            "public." + refusal_log.CSRF,
            "public." + refusal_log.RATE_LIMIT,
            "public.booking.honeypot",
            "test.marker",
        ]
        assert verify(staff_app.config["PORTAL"].audit_anchor, audit_keys()).problems == []
        assert not any(CANARY in str(e.__data__) for e in AuditEvent.select())
