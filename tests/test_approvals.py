"""Roles that read personal data need a second person: an administrator asks, a city user approves.

The rule, written out again here rather than read from the code: an account that an
administrator makes, re-activates or re-roles as city or consultant cannot sign in until a city
user other than the requester approves; a rejection leaves it disabled; operator and admin
accounts need nobody; `portal user create` and `portal demo-seed` make working accounts.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from portal.core.database import database
from portal.core.models import AccountApproval, AuditEvent, User
from portal.staff.accounts import change_role
from tests.conftest import (
    PASSWORD,
    Account,
    admin_creates_user,
    csrf_from,
    decide_approval,
    make_account,
    sign_in,
)

AWAITING = "承認待ちです"
WRONG = "メールアドレスまたはパスワードが正しくありません"


def first_password(created) -> str:
    """The initial password the administrator's page shows once."""
    return re.search(r'<code class="secret">([^<]+)</code>', created.text).group(1)


def password_step(app, email: str, password: str):
    """The first sign-in step from a fresh browser."""
    client = app.test_client()
    page = client.get("/login")
    return client.post(
        "/login", data={"csrf_token": csrf_from(page.text), "email": email, "password": password}
    )


def events_on(app, user_id: int) -> list[tuple[str, int | None]]:
    """(action, actor) of the audit events about one account, oldest first."""
    with app.app_context():
        rows = AuditEvent.select().where(
            AuditEvent.object_type == "user", AuditEvent.object_id == str(user_id)
        )
        return [(event.action, event.actor_id) for event in rows.order_by(AuditEvent.seq)]


def user_named(app, email: str) -> User:
    with app.app_context():
        return User.get(User.email == email)


def post(client, url: str, **data):
    """A form POST with the page's token."""
    return client.post(url, data={"csrf_token": csrf_from(client.get("/").text), **data})


@pytest.mark.parametrize("role", ["city", "consultant"])
def test_an_account_an_admin_makes_signs_in_only_after_a_city_user_approves(
    staff_app, signed_in, accounts, role
):
    admin, city = signed_in("admin"), signed_in("city")
    created = admin_creates_user(admin, "new@example.jp", role, "架空行政書士会")
    assert "承認するまでログインできません" in created.text
    password = first_password(created)
    new = user_named(staff_app, "new@example.jp")

    held = password_step(staff_app, "new@example.jp", password)
    assert held.status_code == 200 and AWAITING in held.text
    # Nobody without the password learns that the account exists or waits.
    for email, guess in (("new@example.jp", "a wrong password 12345"), ("nobody@example.jp", password)):
        refused = password_step(staff_app, email, guess)
        assert refused.status_code == 200 and WRONG in refused.text and AWAITING not in refused.text
    assert "承認待ち" in admin.get("/admin/users").text

    home = city.get("/")
    assert "承認待ちのアカウント" in home.text and "<h2>new@example.jp</h2>" in home.text
    decided = decide_approval(city, "new@example.jp", headers={"HX-Request": "true"})
    assert decided.status_code == 200 and "<html" not in decided.text
    assert "new@example.jp を承認しました" in decided.text
    assert "new@example.jp" not in city.get("/approvals/").text

    opened = password_step(staff_app, "new@example.jp", password)
    assert opened.status_code == 303 and opened.headers["Location"] == "/login/enrol"
    admin_id, city_id = accounts["admin"].id, accounts["city"].id
    assert events_on(staff_app, new.id) == [
        ("user.create", admin_id),
        ("user.approval-requested", admin_id),
        ("user.approved", city_id),
        ("signin.password", new.id),
    ]
    history = admin.get(f"/admin/users/{new.id}/history").text
    for shown in ("承認を依頼", "<td>承認</td>", "admin@example.jp", "city@example.jp", "新規作成"):
        assert shown in history


@pytest.mark.parametrize("role", ["operator", "admin"])
def test_operator_and_admin_accounts_need_no_approval(staff_app, signed_in, role):
    created = admin_creates_user(signed_in("admin"), "new@example.jp", role, "株式会社サンプル")
    assert "承認するまで" not in created.text
    response = password_step(staff_app, "new@example.jp", first_password(created))
    assert response.status_code == 303 and response.headers["Location"] == "/login/enrol"
    with staff_app.app_context():
        assert AccountApproval.select().count() == 0
    assert "<h2>new@example.jp</h2>" not in signed_in("city").get("/approvals/").text


def test_nobody_approves_their_own_request(staff_app, signed_in, accounts):
    admin, city = signed_in("admin"), signed_in("city")
    admin_creates_user(admin, "new@example.jp", "city", "架空市 産業観光局")
    with staff_app.app_context():
        approval = AccountApproval.get()
    token = csrf_from(admin.get("/").text)
    assert admin.post(f"/approvals/{approval.id}/approve", data={"csrf_token": token}).status_code == 404
    assert admin.get("/approvals/").status_code == 404
    assert user_named(staff_app, "new@example.jp").awaiting_approval

    # A city user who asked for a role (through the same change the admin page makes) cannot approve it.
    operator = make_account(staff_app, "operator", "株式会社サンプル", "moving@example.jp")
    with staff_app.app_context(), database.connection_context():
        change_role(User.get_by_id(operator.id), "consultant", User.get_by_id(accounts["city"].id))
        own = AccountApproval.get(AccountApproval.user == operator.id)
    listing = city.get("/approvals/").text
    assert "ご自身が関わる依頼" in listing
    assert f"/approvals/{own.id}/approve" not in listing
    token = csrf_from(listing)
    for decision in ("approve", "reject"):
        assert city.post(f"/approvals/{own.id}/{decision}", data={"csrf_token": token}).status_code == 404
    moved = user_named(staff_app, "moving@example.jp")
    assert moved.awaiting_approval and moved.disabled_at is None
    with staff_app.app_context():
        refusal = AuditEvent.select().order_by(AuditEvent.seq.desc()).first()
    assert (refusal.action, refusal.outcome, refusal.object_id) == ("request.denied", "refused", str(own.id))

    # Another city user can.
    second = make_account(staff_app, "city", "架空市 産業観光局", "second-city@example.jp")
    other = staff_app.test_client()
    sign_in(other, second)
    assert decide_approval(other, "moving@example.jp").status_code == 303
    assert sign_in(staff_app.test_client(), operator).status_code == 303


def test_re_activating_a_disabled_consultant_needs_approval(staff_app, signed_in, accounts):
    consultant = accounts["consultant"]
    working = signed_in("consultant")
    admin, city = signed_in("admin"), signed_in("city")
    status = f"/admin/users/{consultant.id}/status"
    post(admin, status, confirmed="yes")
    assert working.get("/").status_code == 404
    back = admin.post(status, headers={"HX-Request": "true", "X-CSRFToken": csrf_from(admin.get("/").text)})
    assert back.text.lstrip().startswith('<section id="user-status"') and "承認待ち" in back.text

    held = password_step(staff_app, consultant.email, consultant.password)
    assert held.status_code == 200 and AWAITING in held.text
    assert "利用の再開" in city.get("/approvals/").text
    assert decide_approval(city, consultant.email).status_code == 303
    actions = [action for action, _actor in events_on(staff_app, consultant.id)]
    assert actions[-4:] == ["user.disable", "user.enable", "user.approval-requested", "user.approved"]
    assert sign_in(staff_app.test_client(), consultant).status_code == 303


def test_re_enabling_an_operator_needs_nobody(staff_app, signed_in, accounts):
    admin = signed_in("admin")
    status = f"/admin/users/{accounts['operator'].id}/status"
    post(admin, status, confirmed="yes")
    post(admin, status)
    assert sign_in(staff_app.test_client(), accounts["operator"]).status_code == 303


def test_a_role_that_reads_personal_data_holds_an_account_and_ends_its_sessions(
    staff_app, signed_in, accounts
):
    operator = accounts["operator"]
    working = signed_in("operator")
    admin, city = signed_in("admin"), signed_in("city")
    post(admin, f"/admin/users/{operator.id}/role", role="city")
    assert working.get("/").status_code == 404, "the open session ends with the change"
    assert AWAITING in password_step(staff_app, operator.email, operator.password).text
    assert "役割の変更" in city.get("/approvals/").text
    assert decide_approval(city, operator.email).status_code == 303
    client = staff_app.test_client()
    assert sign_in(client, operator).status_code == 303
    assert client.get("/approvals/").status_code == 200, "it is a city account now"

    # An approval is for one role: away and back again needs a new one.
    post(admin, f"/admin/users/{operator.id}/role", role="operator")
    post(admin, f"/admin/users/{operator.id}/role", role="city")
    assert user_named(staff_app, operator.email).awaiting_approval


def test_a_change_withdraws_the_open_request_which_then_cannot_be_approved(staff_app, signed_in):
    admin, city = signed_in("admin"), signed_in("city")
    created = admin_creates_user(admin, "new@example.jp", "consultant", "架空行政書士会")
    page = city.get("/approvals/")
    user = user_named(staff_app, "new@example.jp")
    post(admin, f"/admin/users/{user.id}/role", role="operator")
    with staff_app.app_context():
        approval = AccountApproval.get()
    assert approval.decision == "withdrawn"
    late = city.post(f"/approvals/{approval.id}/approve", data={"csrf_token": csrf_from(page.text)})
    assert late.status_code == 404
    assert user_named(staff_app, "new@example.jp").role == "operator"
    assert password_step(staff_app, "new@example.jp", first_password(created)).status_code == 303
    assert "取り下げ" in admin.get(f"/admin/users/{user.id}/history").text


def test_rejection_leaves_the_account_disabled(staff_app, signed_in, accounts):
    admin, city = signed_in("admin"), signed_in("city")
    created = admin_creates_user(admin, "new@example.jp", "consultant", "架空行政書士会")
    rejected = decide_approval(city, "new@example.jp", "reject")
    assert rejected.status_code == 303 and rejected.headers["Location"] == "/approvals/"
    user = user_named(staff_app, "new@example.jp")
    assert user.disabled_at is not None
    refused = password_step(staff_app, "new@example.jp", first_password(created))
    assert WRONG in refused.text and AWAITING not in refused.text
    with staff_app.app_context():
        approval = AccountApproval.get()
        assert (approval.decision, approval.decided_by_id) == ("rejected", accounts["city"].id)
    assert ("user.approval-rejected", accounts["city"].id) in events_on(staff_app, user.id)
    history = admin.get(f"/admin/users/{user.id}/history").text
    assert "却下" in history and "city@example.jp" in history
    assert "このアカウントは停止中です" in admin.get(f"/admin/users/{user.id}").text


def test_a_request_is_decided_once(staff_app, signed_in):
    admin, city = signed_in("admin"), signed_in("city")
    admin_creates_user(admin, "new@example.jp", "consultant", "架空行政書士会")
    page = city.get("/approvals/")
    with staff_app.app_context():
        approval = AccountApproval.get()
    token = csrf_from(page.text)
    assert city.post(f"/approvals/{approval.id}/approve", data={"csrf_token": token}).status_code == 303
    assert city.post(f"/approvals/{approval.id}/reject", data={"csrf_token": token}).status_code == 404
    user = user_named(staff_app, "new@example.jp")
    assert user.disabled_at is None and not user.awaiting_approval


def test_bringing_back_an_expired_consultant_needs_approval(staff_app, signed_in, accounts):
    consultant = accounts["consultant"]
    with staff_app.app_context():
        User.update(expires_on=date(2020, 3, 31)).where(User.id == consultant.id).execute()
    post(signed_in("admin"), f"/admin/users/{consultant.id}/expiry", expires_on="2099-03-31")
    assert AWAITING in password_step(staff_app, consultant.email, consultant.password).text
    assert decide_approval(signed_in("city"), consultant.email).status_code == 303
    assert sign_in(staff_app.test_client(), consultant).status_code == 303


@pytest.mark.parametrize("role", ["consultant", "operator", "admin"])
def test_only_city_users_reach_the_approvals(staff_app, signed_in, role):
    admin_creates_user(signed_in("admin"), "new@example.jp", "consultant", "架空行政書士会")
    with staff_app.app_context():
        approval = AccountApproval.get()
    client = signed_in(role)
    token = csrf_from(client.get("/").text)
    assert client.get("/approvals/").status_code == 404
    for decision in ("approve", "reject"):
        response = client.post(f"/approvals/{approval.id}/{decision}", data={"csrf_token": token})
        assert response.status_code == 404
    assert "承認待ちのアカウント" not in client.get("/").text
    assert user_named(staff_app, "new@example.jp").awaiting_approval


def test_command_line_and_demo_accounts_work_at_once(staff_app, portal_cli):
    seeded = portal_cli("demo-seed")
    assert seeded.exit_code == 0, seeded.output
    for line in seeded.output.splitlines()[:4]:
        role, email, password, uri = line.split("\t")
        secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
        assert sign_in(staff_app.test_client(), Account(0, email, role, password, secret)).status_code == 303
    created = portal_cli(
        "user", "create", "clerk@example.jp", "--role", "city", "--org", "架空市", input=PASSWORD
    )
    assert created.exit_code == 0 and "needs no approval" in created.output
    assert not user_named(staff_app, "clerk@example.jp").awaiting_approval
