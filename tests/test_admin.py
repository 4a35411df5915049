"""Administrators manage accounts; nobody else can, and extra form fields change nothing."""

from __future__ import annotations

import re

from portal.core.models import AuditEvent, Organisation, StaffSession, User
from tests.conftest import admin_creates_user, csrf_from


def test_admin_lists_and_creates_users(staff_app, signed_in):
    admin = signed_in("admin")
    listing = admin.get("/admin/users")
    assert "city@example.jp" in listing.text
    response = admin_creates_user(admin, "Staff@Example.jp", "operator", "株式会社サンプル")
    assert response.status_code == 200 and "staff@example.jp" in response.text
    duplicate = admin_creates_user(admin, "staff@example.jp", "operator", "x")
    assert "すでに登録されています" in duplicate.text
    assert 'value="staff@example.jp"' in duplicate.text, "what was typed comes back"
    with staff_app.app_context():
        (created,) = User.select().where(User.email == "staff@example.jp")
        assert (created.role, created.organisation.name) == ("operator", "株式会社サンプル")


def test_disable_through_htmx_swaps_the_fragment_and_ends_sessions(staff_app, signed_in, accounts):
    victim = signed_in("operator")
    admin = signed_in("admin")
    token = csrf_from(admin.get("/").text)
    url = f"/admin/users/{accounts['operator'].id}/status"
    response = admin.post(
        url, data={"confirmed": "yes"}, headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="user-status"')
    assert "<html" not in response.text and "HX-Request" in response.headers["Vary"]
    assert victim.get("/").status_code == 404
    with staff_app.app_context():
        assert User.get_by_id(accounts["operator"].id).disabled_at is not None
    full = admin.post(url, data={"csrf_token": token})
    assert "<html" in full.text and "このアカウントは有効です" in full.text
    with staff_app.app_context():
        assert User.get_by_id(accounts["operator"].id).disabled_at is None


def test_admin_cannot_disable_themselves(staff_app, signed_in, accounts):
    admin = signed_in("admin")
    token = csrf_from(admin.get("/").text)
    url = f"/admin/users/{accounts['admin'].id}/status"
    for headers in ({}, {"HX-Request": "true"}):
        assert admin.post(url, data={"csrf_token": token}, headers=headers).status_code == 404
    with staff_app.app_context():
        assert User.get_by_id(accounts["admin"].id).disabled_at is None
        assert StaffSession.select().where(StaffSession.revoked_at.is_null()).count() == 1
    assert admin.get("/admin/users").status_code == 200, "still signed in"


def test_end_sessions_and_reset_second_factor(staff_app, signed_in, accounts):
    victim = signed_in("consultant")
    bystander = signed_in("city")
    admin = signed_in("admin")
    token = csrf_from(admin.get("/").text)
    user_id = accounts["consultant"].id
    confirmed = {"csrf_token": token, "confirmed": "yes"}
    assert admin.post(f"/admin/users/{user_id}/sessions/end", data=confirmed).status_code == 303
    assert victim.get("/").status_code == 404
    assert bystander.get("/").status_code == 200 and admin.get("/").status_code == 200, "only theirs end"
    assert admin.post(f"/admin/users/{user_id}/sessions/end", data=confirmed).status_code == 303
    with staff_app.app_context():
        ended = AuditEvent.select().where(AuditEvent.action == "user.sessions-ended").order_by(AuditEvent.seq)
        assert [event.outcome for event in ended] == ["1", "0"], "sessions ended before are not counted again"
    reset = admin.post(f"/admin/users/{user_id}/second-factor/reset", data=confirmed)
    assert reset.status_code == 200 and re.search(
        r'<code class="secret">\d{4}-\d{4}-\d{4}</code>', reset.text
    )
    with staff_app.app_context():
        user = User.get_by_id(user_id)
        assert user.totp_secret is None and not user.enrolled
        assert (
            StaffSession.select().where(StaffSession.user == user, StaffSession.revoked_at.is_null()).count()
            == 0
        )
        actions = {e.action for e in AuditEvent.select()}
    assert {"user.sessions-ended", "user.second-factor-reset"} <= actions


def test_extra_form_fields_are_ignored(staff_app, signed_in, accounts):
    admin = signed_in("admin")
    token = csrf_from(admin.get("/").text)
    user_id = accounts["city"].id
    response = admin.post(
        f"/admin/users/{user_id}/expiry",
        data={
            "csrf_token": token,
            "expires_on": "2030-03-31",
            "role": "admin",
            "organisation_id": "999",
            "owner_id": "1",
        },
    )
    assert response.status_code == 303
    with staff_app.app_context():
        user = User.get_by_id(user_id)
        assert (user.role, str(user.expires_on)) == ("city", "2030-03-31")


def test_contract_end_date_is_set_per_organisation(staff_app, signed_in, accounts):
    admin = signed_in("admin")
    page = admin.get("/admin/organisations")
    with staff_app.app_context():
        organisation = User.get_by_id(accounts["operator"].id).organisation
    response = admin.post(
        f"/admin/organisations/{organisation.id}/contract",
        data={"csrf_token": csrf_from(page.text), "contract_ends_on": "2020-10-31"},
    )
    assert response.status_code == 303
    with staff_app.app_context():
        assert str(Organisation.get_by_id(organisation.id).contract_ends_on) == "2020-10-31"


def test_unknown_user_ids_are_404(signed_in):
    admin = signed_in("admin")
    assert admin.get("/admin/users/999999").status_code == 404


def test_hostile_text_is_rendered_inert_in_pages_and_fragments(signed_in, accounts):
    admin = signed_in("admin")
    hostile = "<img src=x onerror=alert(1)>{{7*7}}"
    admin_creates_user(admin, "inert@example.jp", "city", hostile)
    for page in (admin.get("/admin/users"), signed_in("city").get("/approvals/")):
        assert "&lt;img src=x onerror=alert(1)&gt;{{7*7}}" in page.text
        assert "<img src=x" not in page.text
