"""The staff gate, attacked as an outsider and as each role would."""

from __future__ import annotations

import uuid

import pytest
from flask import request
from werkzeug.routing import Rule

from portal.core.models import AuditEvent, StaffSession
from portal.staff import gate
from portal.staff.permissions import OPEN_ENDPOINTS, PERMISSIONS
from tests.conftest import ROLES
from tests.expected_access import OPEN

STAFF_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def sample_urls(app, rule: Rule, ids=(1, 2, 999999)) -> list[str]:
    """The rule's URL with sample ids (real ones among them)."""
    with app.test_request_context():
        from flask import url_for

        if not rule.arguments:
            return [url_for(rule.endpoint)]
        urls = []
        for sample in ids:
            values = {}
            for name in rule.arguments:
                converter = rule._converters[name]
                if hasattr(converter, "items"):
                    values[name] = sorted(converter.items)[0]
                elif type(converter).__name__ == "PathConverter":
                    values[name] = "css/portal.css"
                else:
                    values[name] = sample
            urls.append(url_for(rule.endpoint, **values))
        return urls


def closed_rules(app) -> list[Rule]:
    """Every rule that needs a signed-in session, as the business rules say."""
    return [r for r in app.url_map.iter_rules() if r.endpoint not in OPEN]


def assert_staff_headers(response) -> None:
    for name, value in STAFF_HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_every_staff_endpoint_is_either_open_or_in_the_permission_table(staff_app):
    """Consistency only: whether the table is right is tests/test_staff_access.py's question."""
    endpoints = {rule.endpoint for rule in staff_app.url_map.iter_rules()}
    assert endpoints <= OPEN_ENDPOINTS | set(PERMISSIONS), endpoints - OPEN_ENDPOINTS - set(PERMISSIONS)
    assert set(PERMISSIONS) <= endpoints, "the permission table names endpoints that do not exist"


def test_an_endpoint_the_table_does_not_name_is_refused_to_every_role(staff_app, signed_in, accounts):
    staff_app.add_url_rule("/unlisted", "unlisted", lambda: "reached")
    for role in ROLES:
        response = signed_in(role).get("/unlisted")
        assert response.status_code == 404 and "reached" not in response.text, role
        with staff_app.app_context():
            newest = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
        event = (newest.action, newest.outcome, newest.object_type, newest.actor_id)
        assert event == ("request.denied", "permission", "unlisted", accounts[role].id)


def test_anonymous_requests_create_no_session_rows_and_are_audited(staff_app, accounts):
    client = staff_app.test_client()
    with staff_app.app_context():
        before = AuditEvent.select().count()
    response = client.get(f"/admin/users/{accounts['city'].id}")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers
    with staff_app.app_context():
        assert StaffSession.select().count() == 0
        event = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
        assert AuditEvent.select().count() == before + 1
    assert (event.action, event.outcome, event.object_id) == (
        "request.denied",
        "anonymous",
        str(accounts["city"].id),
    )


def test_a_refusal_names_every_id_of_the_url_within_the_events_64_characters(client, staff_app):
    record, attachment = "2147483647", "0f8e4c2a-5b1d-4e7f-9a36-2c8d1e0b7f54"
    assert client.get(f"/records/{record}/attachments/{attachment}").status_code == 404
    assert client.get(f"/records/7/attachments/{attachment}").status_code == 404
    with staff_app.app_context():
        newest = AuditEvent.select().order_by(AuditEvent.seq.desc()).limit(2)
        assert [e.object_id for e in newest] == [f"7,{attachment}", f"{record},{attachment}"[:64]]


def test_ids_beyond_the_events_64_characters_are_cut_not_refused(staff_app):
    """No route carries that many ids yet (the longest is 56 characters); one that did must still
    be audited, as PostgreSQL refuses a longer value."""
    ids = [uuid.UUID(int=n) for n in (1, 2, 3)]
    with staff_app.test_request_context("/"):
        request.view_args = {"a": ids[0], "b": ids[1], "c": ids[2], "name": "x" * 80}
        assert gate._object_id() == ",".join(map(str, ids))[:64]


@pytest.mark.parametrize(
    "variant",
    [
        {"path": "/admin/users/{id}/"},
        {"path": "/ADMIN/users/{id}"},
        {"path": "/admin/users/{id}", "headers": {"Range": "bytes=0-10"}},
        {"path": "/admin/users/{id}", "headers": {"HX-Request": "true", "HX-Target": "main"}},
        {"path": "/admin/users/{id}", "query_string": "download=1"},
        {"path": "/static/"},
        {"path": "/static/css/"},
        {"path": "/assets/"},
        {"path": "/admin/"},
        {"path": "/static/../portal/core/settings.py"},
        {"path": "/static/%2e%2e/core/settings.py"},
    ],
)
def test_url_variants_and_directory_urls_get_404(client, accounts, variant):
    path = variant["path"].format(id=accounts["city"].id)
    response = client.get(path, headers=variant.get("headers"), query_string=variant.get("query_string"))
    assert response.status_code == 404
    assert b"Index of" not in response.data and b"settings" not in response.data
    assert_staff_headers(response)


def test_state_changes_without_a_valid_token_get_404_anonymous_and_400_signed_in(staff_app, signed_in):
    admin = signed_in("admin")
    anonymous = staff_app.test_client()
    posts = [r for r in closed_rules(staff_app) if "POST" in r.methods]
    assert posts, "no state-changing routes found"
    for rule in posts:
        for url in sample_urls(staff_app, rule, ids=(1,)):
            assert anonymous.post(url).status_code == 404, url
            assert admin.post(url).status_code == 400, url
            assert admin.post(url, data={"csrf_token": "forged"}).status_code == 400, url
            forged = admin.post(url, headers={"HX-Request": "true", "X-CSRFToken": "forged"})
            assert forged.status_code == 400, url


def test_open_endpoints_still_check_csrf(client):
    response = client.post("/login", data={"email": "a@example.jp", "password": "x"})
    assert response.status_code == 400


def test_forged_x_forwarded_for_from_a_direct_client_changes_nothing(staff_app):
    client = staff_app.test_client()
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/login", environ_base=outside).status_code == 404
    spoofed = client.get("/login", environ_base=outside, headers={"X-Forwarded-For": "127.0.0.1"})
    assert spoofed.status_code == 404
    assert client.get("/login", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 200


def test_an_outside_flood_is_audited_once_a_minute_per_address_and_no_address_hides_in_it(
    staff_app, monkeypatch
):
    clock = [0.0]
    monkeypatch.setattr(gate, "monotonic", lambda: clock[0])
    monkeypatch.setattr(gate, "NETWORK_AUDIT_MEMORY", 3)
    client = staff_app.test_client()
    unknown = client.get("/nothing-here").data

    def knock(address: str) -> None:
        response = client.get("/login", environ_base={"REMOTE_ADDR": address})
        assert (response.status_code, response.data) == (404, unknown)  # audited or not, the same answer

    def audited(address: str) -> list[str]:
        with staff_app.app_context():
            events = AuditEvent.select().where(AuditEvent.client == address).order_by(AuditEvent.seq)
            return [f"{e.action} {e.outcome}" for e in events]

    first, second, third, fourth = (f"203.0.113.{n}" for n in range(1, 5))
    for _ in range(3):
        knock(first)
    knock(second)
    assert audited(first) == audited(second) == ["request.denied network"]
    clock[0] = gate.NETWORK_AUDIT_INTERVAL - 0.001
    knock(first)
    assert len(audited(first)) == 1
    clock[0] = gate.NETWORK_AUDIT_INTERVAL
    knock(first)
    assert len(audited(first)) == 2
    # Past the memory's size it starts over: the next address seen again is audited again.
    knock(third)
    knock(fourth)
    knock(first)
    knock(third)
    assert (len(audited(first)), len(audited(third)), len(audited(fourth))) == (3, 2, 1)


@pytest.mark.parametrize("address", ["unknown", "", "127.0.0.1, 203.0.113.9", "::ffff:zz"])
def test_a_client_address_that_is_not_an_address_is_outside(client, address):
    assert client.get("/login", environ_base={"REMOTE_ADDR": address}).status_code == 404


def test_staff_networks_setting_admits_only_listed_networks(config):
    from portal import create_app

    app = create_app("staff", {**config, "STAFF_NETWORKS": "192.0.2.0/24", "TESTING": True})
    client = app.test_client()
    assert client.get("/login").status_code == 404
    assert client.get("/healthz").status_code == 404
    assert client.get("/login", environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200


@pytest.mark.parametrize(
    "path,status",
    [
        ("/login", 200),
        ("/healthz", 200),
        ("/robots.txt", 200),
        ("/static/css/portal.css", 200),
        ("/static/js/portal.js", 200),
        ("/assets/htmx-2.0.3.min.js", 200),
        ("/nothing-here", 404),
        ("/", 404),
    ],
)
def test_every_staff_response_carries_the_headers(client, path, status):
    with client.get(path) as response:
        assert response.status_code == status
        assert_staff_headers(response)
        assert "Strict-Transport-Security" not in response.headers


def test_hsts_only_over_tls(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_staff_robots_txt_disallows_everything_and_names_no_path(client):
    assert client.get("/robots.txt").text == "User-agent: *\nDisallow: /\n"


def test_htmx_is_served_from_our_origin(client):
    with client.get("/assets/htmx-2.0.3.min.js") as response:
        assert response.mimetype == "text/javascript"
        assert b'version:"2.0.3"' in response.data


def test_an_ended_session_cookie_gets_the_sign_in_link_and_htmx_is_redirected(staff_app, signed_in):
    client = signed_in("city")
    assert client.get("/").status_code == 200
    with staff_app.app_context():
        StaffSession.update(revoked_at=StaffSession.created_at).execute()
    for path in ("/", "/admin/users", "/nothing-here"):
        page = client.get(path)
        assert page.status_code == 404 and "HX-Redirect" not in page.headers
        assert 'href="/login"' in page.text
    with staff_app.app_context():
        newest = AuditEvent.select().order_by(AuditEvent.seq.desc()).limit(3)
        assert [(e.action, e.outcome) for e in newest] == [("request.denied", "session-ended")] * 3
    client = signed_in("admin")
    with staff_app.app_context():
        StaffSession.update(revoked_at=StaffSession.created_at).execute()
    for path in ("/", "/admin/users/1", "/nothing-here"):
        response = client.get(path, headers={"HX-Request": "true"})
        assert response.status_code == 404
        assert response.headers["HX-Redirect"] == "/login"
