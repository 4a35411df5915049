"""Staff are named by name, and an account's organisation is chosen from the list.

Written out again: the administrator's new-user form offers the organisations that exist and
accepts no typed one; adding an organisation is a step of its own, which refuses a name that
differs from an existing one only in spaces, width or case; lists show people's names, not their
email addresses.
"""

from __future__ import annotations

import re

from portal.core.models import AuditEvent, Organisation, User
from tests.conftest import admin_creates_user, csrf_from
from tests.records_world import build, signed_in_as


def test_the_organisation_is_chosen_from_the_list_never_typed(staff_app, signed_in, accounts):
    admin = signed_in("admin")
    page = admin.get("/admin/users/new").text
    assert '<select id="organisation" name="organisation"' in page
    assert '<input id="organisation"' not in page
    with staff_app.app_context():
        before = Organisation.select().count()
    typed = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_from(page),
            "name": "新人 一郎",
            "email": "new@example.jp",
            "role": "operator",
            "organisation": "架空市産業観光局",
        },
    )
    assert typed.status_code == 200 and "所属組織を一覧から選んでください" in typed.text
    with staff_app.app_context():
        assert (
            Organisation.select().count() == before
            and not User.select().where(User.email == "new@example.jp").exists()
        )
    created = admin_creates_user(admin, "new@example.jp", "operator", "operator org", name="新人 一郎")
    assert created.status_code == 200 and "新人 一郎" in created.text
    with staff_app.app_context():
        user = User.get(User.email == "new@example.jp")
        assert (user.display_name, user.organisation.name) == ("新人 一郎", "operator org")


def test_an_organisation_typed_again_with_other_spacing_is_refused(staff_app, signed_in):
    admin = signed_in("admin")
    token = csrf_from(admin.get("/admin/organisations").text)
    first = admin.post("/admin/organisations/new", data={"csrf_token": token, "name": "架空市 産業観光局"})
    assert first.status_code == 303
    for again in ("架空市産業観光局", "架空市　産業観光局", " 架空市  産業観光局 "):
        refused = admin.post("/admin/organisations/new", data={"csrf_token": token, "name": again})
        assert refused.status_code == 200 and "「架空市 産業観光局」がすでにあります" in refused.text, again
    with staff_app.app_context():
        assert Organisation.select().where(Organisation.name.contains("産業観光局")).count() == 1
        assert AuditEvent.select().where(AuditEvent.action == "organisation.create").count() == 1
    assert admin.post("/admin/organisations/new", data={"csrf_token": token, "name": ""}).status_code == 200


def test_lists_name_people_by_name(staff_app):
    world = build(staff_app)
    with staff_app.app_context():
        User.update(display_name="行政 花子").where(User.id == world.accounts["author"].id).execute()
    city = signed_in_as(staff_app, world.accounts["city"])
    listing = city.get("/records").text
    assert "行政 花子" in listing and "consultant-a@example.jp" not in listing
    record = city.get(f"/records/{world.record}").text
    assert "記録者: 行政 花子" in record
    admin = signed_in_as(staff_app, world.accounts["admin"])
    users = admin.get("/admin/users").text
    assert re.search(r">行政 花子</a></td>\s*<td>consultant-a@example.jp</td>", users)
    assert "consultant-b@example.jp" in admin.get("/admin/users").text, "no name yet: the email stands in"


def test_an_administrator_names_an_account(staff_app, signed_in, accounts):
    admin = signed_in("admin")
    url = f"/admin/users/{accounts['operator'].id}"
    token = csrf_from(admin.get(url).text)
    assert admin.post(f"{url}/name", data={"csrf_token": token, "name": " "}).status_code == 200
    assert admin.post(f"{url}/name", data={"csrf_token": token, "name": "受付 陽子"}).status_code == 303
    assert "<h1>受付 陽子</h1>" in admin.get(url).text
    operator_home = signed_in("operator").get("/").text
    assert "受付 陽子" in operator_home.split("</header>")[0], "the header names who is signed in"


def test_portal_user_create_takes_a_name(staff_app, portal_cli):
    result = portal_cli(
        "user",
        "create",
        "named@example.jp",
        "--role",
        "operator",
        "--org",
        "架空コールセンター",
        "--name",
        "電話 受子",
        input="長くて覚えやすい合言葉を使います 2026\n",
    )
    assert result.exit_code == 0, result.output
    with staff_app.app_context():
        assert User.get(User.email == "named@example.jp").display_name == "電話 受子"
