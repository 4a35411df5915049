"""Every staff route, with every method it allows, as each role and anonymously, held against the
access table written out from the business rules (tests/expected_access.py).

An allowed role is answered by the view (real objects it may reach fill the URL, POSTs carry a
valid form token); a refused one gets exactly the unknown-URL 404, audited as a refusal at the
gate, with or without htmx. A route the table does not name fails the walk. Each role walks a
world of its own, so what its POSTs change cannot reach another role's walk.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from flask import Response, url_for
from werkzeug.routing import Rule

from portal.core.models import AuditEvent
from tests.conftest import csrf_from
from tests.expected_access import EXPECTED_ACCESS, OPEN, ROLES
from tests.pages import without_tokens
from tests.records_world import signed_in_as
from tests.staff_world import WALKER, StaffWorld, build_staff_world
from tests.test_gate import assert_staff_headers

SAFE = ("GET", "HEAD", "OPTIONS")
UNTAKEN = ("PUT", "DELETE")  # methods no staff route takes: they reach no endpoint
WALKED_CHUNK = b"%PDF-1.7 a whole file in one chunk"


@dataclass(frozen=True)
class Call:
    """One request of the walk; a method the rule does not take reaches no endpoint (None)."""

    endpoint: str | None
    method: str
    url: str

    @property
    def order(self) -> tuple:
        """Reading first, then changes; signing out last, since it ends the walk's session."""
        phase = 0 if self.method in SAFE else 2 if self.endpoint == "auth.logout" else 1
        return phase, self.url, self.method


def url_values(world: StaffWorld, role: str, rule: Rule) -> dict[str, object]:
    """A real object for each of the rule's URL arguments, one the role may reach if anyone may."""
    shelf = world.shelves.get(role, world.shelves["city"])
    by_blueprint = {
        "account": {"session_id": world.elsewhere.get(role, world.elsewhere["city"])},
        "admin": {"user_id": world.spare_user, "organisation_id": world.spare_organisation},
        "approvals": {"approval_id": world.to_approve},
        "bookings": {"booking_id": world.arriving, "mark": "attended", "waiting_id": world.waiting},
        "intake": {"booking_id": world.records.not_attended},
        "records": {
            "record_id": world.record,
            "attachment_id": world.attachment,
            "grant_id": world.record_grant,
            "version": 1,
            "booking_id": world.records.unwritten,
        },
        "library": {
            "folder_id": shelf.folder,
            "document_id": shelf.document,
            "version_id": shelf.version,
            "grant_id": shelf.grant,
        },
        "daily_reports": {"day": world.report_day.isoformat()},
        "uploads": {"upload_id": world.uploads.get(role, uuid.UUID(int=1))},
        "ledger": {"entry_id": world.ledger_entry},
        "check_sheet": {"stage": "launch", "sign_off_id": world.check_sheet_sign_off},
        "pledge": {"number": 1},
        "incidents": {"incident_id": world.incident, "business_id": world.incident_business},
        "export_consent": {"organisation_id": world.spare_organisation},
        "venues": {
            "venue_id": world.venue,
            "session_id": world.session,
            "pattern_id": world.pattern,
            "season_id": world.season,
            "holiday_id": world.holiday,
        },
        "site": {"language": "ja"},
        "static": {"filename": "css/portal.css"},
    }
    consumed = {
        "bookings.confirm_request": {"booking_id": world.to_confirm},
        "bookings.decline_request": {"booking_id": world.to_decline},
        "approvals.reject": {"approval_id": world.to_reject},
    }
    values = by_blueprint.get(rule.endpoint.partition(".")[0], {}) | consumed.get(rule.endpoint, {})
    missing = set(rule.arguments) - set(values)
    assert not missing, f"no seeded object for {missing} of {rule.endpoint}: add one in tests/staff_world.py"
    return {name: values[name] for name in rule.arguments}


def upload_form(world: StaffWorld, role: str) -> str:
    """A form that takes files which the role may use: a document in its own folder."""
    return f"/library/folders/{world.shelves.get(role, world.shelves['city']).folder}/documents"


def form_fields(world: StaffWorld, role: str, endpoint: str) -> dict[str, str]:
    """What a POST needs besides its token to reach its view's answer (a view 404s without it)."""
    return {
        "bookings.daily_notice": {"date": world.report_day.isoformat()},
        "uploads.start": {"target": upload_form(world, role), "size": "1000"},
    }.get(endpoint, {})


def begin_own_upload(client, world: StaffWorld, role: str, token: str) -> None:
    """The walker's upload, begun in the walk's session, of exactly WALKED_CHUNK's size: the walk's
    PATCH is its one chunk."""
    started = client.post(
        "/uploads/",
        data={"target": upload_form(world, role), "size": str(len(WALKED_CHUNK))},
        headers={"X-CSRFToken": token},
    )
    assert started.status_code == 201, started.text
    world.uploads[role] = uuid.UUID(started.json["upload"])


def calls(app, world: StaffWorld, role: str) -> list[Call]:
    """Every rule of the staff url_map with every method it allows, in walking order."""
    walk = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            assert rule.endpoint in EXPECTED_ACCESS or rule.endpoint in OPEN, (
                f"{rule.endpoint} has no expectation in tests/expected_access.py"
            )
            url = url_for(rule.endpoint, **url_values(world, role, rule))
            walk += [Call(rule.endpoint, method, url) for method in rule.methods]
            walk += [Call(None, method, url) for method in UNTAKEN if method not in rule.methods]
    return sorted(walk, key=lambda call: call.order)


def may_reach(role: str, endpoint: str | None) -> bool:
    """The answer key: open to anyone, else the roles the business rules name."""
    return endpoint in OPEN or role in EXPECTED_ACCESS.get(endpoint, ())


def newest_event(app) -> int:
    with app.app_context():
        newest = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
        return newest.seq if newest else 0


def refusals_since(app, seq: int) -> list[tuple[str, str]]:
    """(what was asked for, why) of every refusal recorded after event `seq`."""
    with app.app_context():
        events = AuditEvent.select().where(AuditEvent.seq > seq, AuditEvent.action == "request.denied")
        return [(event.object_type, event.outcome) for event in events.order_by(AuditEvent.seq)]


def htmx_headers(htmx: bool) -> dict[str, str]:
    return {"HX-Request": "true"} if htmx else {}


@dataclass
class Answer:
    """A response, read, and the gate's refusals of its request (why, as audited)."""

    response: Response
    body: bytes
    at_gate: list[str]


def ask(app, client, call: Call, token: str, fields: dict[str, str], htmx: bool) -> Answer:
    """Send one request of the walk, with a valid form token wherever one is needed."""
    since = newest_event(app)
    data = None if call.method in SAFE else {"csrf_token": token, **fields}
    headers = {"X-CSRFToken": token, **htmx_headers(htmx)}
    if call.endpoint == "uploads.chunk":  # a chunk is the body itself, where its header says
        data, headers["Upload-Offset"] = WALKED_CHUNK, "0"
    with client.open(call.url, method=call.method, data=data, headers=headers) as response:
        body = response.data
    refusals = refusals_since(app, since)
    return Answer(response, body, [why for what, why in refusals if what == call.endpoint])


@pytest.fixture
def world(staff_app) -> StaffWorld:
    return build_staff_world(staff_app)


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_each_role_reaches_exactly_what_the_business_rules_allow(staff_app, world, role):
    if role == "anonymous":
        client, token, reason = staff_app.test_client(), "", "anonymous"
    else:
        client = signed_in_as(staff_app, world.records.accounts[WALKER[role]])
        token, reason = csrf_from(client.get("/").text), "permission"
        begin_own_upload(client, world, role, token)
    unknown = {
        htmx: without_tokens(client.get("/no-such-page", headers=htmx_headers(htmx)).data)
        for htmx in (False, True)
    }
    reached = refused = 0
    for call in calls(staff_app, world, role):
        fields = form_fields(world, role, call.endpoint)
        if may_reach(role, call.endpoint):
            answer = ask(staff_app, client, call, token, fields, htmx=False)
            status = answer.response.status_code
            assert not answer.at_gate, (role, call)
            # The view answers, and with an object the role may reach: no 404 of its own either
            # (an open page may: the enrolment QR code exists only while enrolling).
            assert call.endpoint in OPEN or status < 400, (role, call, status)
            reached += 1
            continue
        for htmx in (False, True) if call.endpoint else (False,):
            answer = ask(staff_app, client, call, token, fields, htmx)
            where = (role, call, "htmx" if htmx else "")
            assert answer.response.status_code == 404, where
            assert answer.at_gate == [reason], where
            assert without_tokens(answer.body) == (b"" if call.method == "HEAD" else unknown[htmx]), where
            assert "HX-Redirect" not in answer.response.headers, where
            assert_staff_headers(answer.response)
            refused += 1
    assert reached and refused, (reached, refused)


def test_the_access_table_names_every_staff_endpoint_and_no_other(staff_app):
    endpoints = {rule.endpoint for rule in staff_app.url_map.iter_rules()}
    named = set(EXPECTED_ACCESS) | OPEN
    assert endpoints - named == set(), "endpoints without an expectation in tests/expected_access.py"
    assert named - endpoints == set(), "expectations for endpoints that do not exist"
    assert not set(EXPECTED_ACCESS) & OPEN
