"""Passwords of one's own: a signed-in user changes theirs after typing the current one; a forgotten
one is reset by an administrator with a temporary password that still needs the second factor.

Attacked as someone in a borrowed session, someone guessing, a forged form, a non-administrator
and an administrator who would hold both halves of what signs in.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from portal.core.models import AuditEvent, StaffSession, User
from portal.core.models.base import utcnow
from tests.conftest import csrf_from, next_code, sign_in
from tests.pages import without_tokens
from tests.test_auth import post_code, post_password

STAFF_URL = "https://staff.example.jp"
NEW_PASSWORD = "自分だけが知る新しい合言葉 2026"
WRONG = "パスワードが正しくありません"
THROTTLED = "試行回数が多すぎます"
SECRET = re.compile(r'<code class="secret">([^<]+)</code>')
TEMPORARY_HOURS = 72  # the decision, written out again: a temporary password works for three days


@pytest.fixture
def config(config, smtp):
    """Mail goes to a real SMTP server on this machine."""
    return {**config, **smtp.settings, "STAFF_URL": STAFF_URL}


def _browser(staff_app, account, address: str):
    """A signed-in browser at `address`."""
    client = staff_app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert sign_in(client, account).status_code == 303
    return client


def _change(client, current: str, new: str = NEW_PASSWORD, again: str | None = None):
    page = client.get("/account/password")
    data = {
        "csrf_token": csrf_from(page.text),
        "current_password": current,
        "new_password": new,
        "confirm_password": again or new,
    }
    return client.post("/account/password", data=data)


def _reset(admin, user_id: int):
    page = admin.get(f"/admin/users/{user_id}")
    token = csrf_from(page.text)
    return admin.post(
        f"/admin/users/{user_id}/password/reset", data={"csrf_token": token, "confirmed": "yes"}
    )


def _events(staff_app, action: str) -> list[AuditEvent]:
    with staff_app.app_context():
        return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq))


def _audit_text(staff_app) -> str:
    with staff_app.app_context():
        return " ".join(f"{e.action} {e.object_type} {e.object_id} {e.outcome}" for e in AuditEvent.select())


def _password_hash(staff_app, user_id: int) -> str:
    with staff_app.app_context():
        return User.get_by_id(user_id).password_hash


def _assert_mail_holds_no_personal_data(message, *secrets: str) -> None:
    text = message["Subject"] + message.get_content()
    assert "@" not in text and not re.search(r"127\.0\.\d+\.\d+", text)
    assert not any(secret in text for secret in secrets)


def test_a_user_changes_their_password_after_typing_the_current_one_and_other_sessions_end(
    staff_app, accounts, smtp
):
    city = accounts["city"]
    here = _browser(staff_app, city, "127.0.0.2")
    phone = _browser(staff_app, city, "127.0.0.3")
    assert 'href="/account/password"' in here.get("/account/sessions").text
    form = here.get("/account/password").text
    assert form.count('type="password"') == 3 and form.count('autocomplete="new-password"') == 2
    before = _password_hash(staff_app, city.id)

    # Someone in a borrowed session who does not know the password changes nothing.
    wrong = _change(here, "not the password at all")
    assert wrong.status_code == 200 and WRONG in wrong.text
    assert _password_hash(staff_app, city.id) == before
    # The new one follows the policy and must differ from the current one, typed the same twice.
    assert "今までのパスワードとは違う" in _change(here, city.password, city.password).text
    assert "よく使われている" in _change(here, city.password, "password1234").text
    assert "同じパスワードをもう一度" in _change(here, city.password, NEW_PASSWORD, NEW_PASSWORD + "x").text
    assert _password_hash(staff_app, city.id) == before and phone.get("/").status_code == 200

    done = _change(here, city.password)
    assert done.status_code == 303 and done.headers["Location"] == "/account/sessions"
    sessions = here.get("/account/sessions").text
    assert "パスワードを変更しました" in sessions and "127.0.0.3" not in sessions
    assert here.get("/").status_code == 200, "this session stays"
    assert phone.get("/").status_code == 404, "every other session ends"

    # The old password is dead; the new one signs in, still with the second factor.
    assert "正しくありません" in post_password(staff_app.test_client(), city).text
    assert sign_in(staff_app.test_client(), replace(city, password=NEW_PASSWORD)).status_code == 303

    [failure] = _events(staff_app, "user.password-change-failure")
    [changed] = _events(staff_app, "user.password-changed")
    assert (failure.outcome, failure.object_id) == ("refused", str(city.id))
    assert (changed.actor_id, changed.object_id, changed.client) == (city.id, str(city.id), "127.0.0.2")
    assert [e.outcome for e in _events(staff_app, "mail.password-changed")] == ["ok"]
    audit = _audit_text(staff_app)
    assert city.password not in audit and NEW_PASSWORD not in audit

    [message] = smtp.to(city.email)
    assert "パスワードを変更しました" in message["Subject"]
    assert f"{STAFF_URL}/login" in message.get_content()
    _assert_mail_holds_no_personal_data(message, city.password, NEW_PASSWORD)


def test_wrong_current_passwords_are_counted_by_the_sign_in_throttle(staff_app, accounts, still_clock):
    operator = accounts["operator"]
    client = _browser(staff_app, operator, "127.0.0.1")
    before = _password_hash(staff_app, operator.id)
    for _ in range(5):
        assert WRONG in _change(client, "a guess at the password").text
    refused = _change(client, operator.password)
    assert refused.status_code == 200 and THROTTLED in refused.text, "even the right one, while throttled"
    assert _password_hash(staff_app, operator.id) == before
    signing_in = post_password(staff_app.test_client(), operator)
    assert THROTTLED in signing_in.text, "the same count as signing in to the account from this address"
    assert len(_events(staff_app, "user.password-change-failure")) == 5
    assert [e.outcome for e in _events(staff_app, "user.password-change-throttled")] == ["refused"]
    assert _events(staff_app, "user.password-changed") == []
    # Elsewhere on the staff network the real user still signs in (nobody is locked out).
    elsewhere = post_password(staff_app.test_client(), operator, environ={"REMOTE_ADDR": "127.0.0.9"})
    assert elsewhere.status_code == 303


def test_a_change_without_its_form_token_is_refused(staff_app, accounts):
    consultant = accounts["consultant"]
    client = _browser(staff_app, consultant, "127.0.0.1")
    before = _password_hash(staff_app, consultant.id)
    fields = {
        "current_password": consultant.password,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    assert client.post("/account/password", data=fields).status_code == 400
    assert client.post("/account/password", data={**fields, "csrf_token": "forged"}).status_code == 400
    forged = client.post("/account/password", data=fields, headers={"HX-Request": "true", "X-CSRFToken": "x"})
    assert forged.status_code == 400
    assert staff_app.test_client().post("/account/password", data=fields).status_code == 404
    assert _password_hash(staff_app, consultant.id) == before
    assert _events(staff_app, "user.password-changed") == []


def test_an_administrator_resets_a_forgotten_password_and_the_second_factor_still_applies(
    staff_app, accounts, signed_in, smtp
):
    victim = accounts["consultant"]
    holder = _browser(staff_app, victim, "127.0.0.3")
    admin = signed_in("admin")
    assert f'action="/admin/users/{victim.id}/password/reset"' in admin.get(f"/admin/users/{victim.id}").text

    answer = _reset(admin, victim.id)
    assert answer.status_code == 200 and f"{TEMPORARY_HOURS}時間有効" in answer.text
    temporary = SECRET.search(answer.text).group(1)
    assert len(temporary) >= 24
    assert holder.get("/").status_code == 404, "every session of the account ends"
    detail = admin.get(f"/admin/users/{victim.id}").text
    assert "仮パスワードを発行済み" in detail and temporary not in detail
    assert "パスワードをリセット" in admin.get(f"/admin/users/{victim.id}/history").text

    # The forgotten password signs in no more; the temporary one leads to the second factor only.
    assert "パスワードを忘れた場合は、管理者に連絡してください" in staff_app.test_client().get("/login").text
    assert "正しくありません" in post_password(staff_app.test_client(), victim).text
    client = staff_app.test_client()
    assert post_password(client, victim, temporary).headers["Location"] == "/login/code"
    assert client.get("/").status_code == 404 and client.get("/account/password").status_code == 404
    assert "正しくないか" in post_code(client, "000000").text
    forced = post_code(client, next_code(victim))
    assert forced.status_code == 303 and forced.headers["Location"] == "/login/new-password"
    assert client.get("/").status_code == 404, "no session before the new password"
    page = client.get("/login/new-password").text
    assert "管理者が発行した仮パスワード" in page
    data = {"csrf_token": csrf_from(page), "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    done = client.post("/login/new-password", data=data)
    assert done.status_code == 303 and done.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert "仮パスワードを発行済み" not in admin.get(f"/admin/users/{victim.id}").text

    # The temporary password worked once; the holder's own one signs in from now on.
    assert "正しくありません" in post_password(staff_app.test_client(), victim, temporary).text
    assert sign_in(staff_app.test_client(), replace(victim, password=NEW_PASSWORD)).status_code == 303

    [reset] = _events(staff_app, "user.password-reset")
    assert (reset.actor_id, reset.object_id) == (accounts["admin"].id, str(victim.id))
    [changed] = _events(staff_app, "user.password-changed")
    assert (changed.actor_id, changed.object_id) == (victim.id, str(victim.id))
    assert [e.outcome for e in _events(staff_app, "mail.password-reset")] == ["ok"]
    assert temporary not in _audit_text(staff_app) and NEW_PASSWORD not in _audit_text(staff_app)

    told, after = smtp.to(victim.email)
    assert "パスワードをリセットしました" in told["Subject"] and "管理者から直接" in told.get_content()
    assert "パスワードを変更しました" in after["Subject"]
    for message in (told, after):
        _assert_mail_holds_no_personal_data(message, temporary, NEW_PASSWORD, victim.password)


def test_a_temporary_password_expires_and_says_so_only_to_whoever_typed_it(staff_app, accounts, signed_in):
    victim = accounts["operator"]
    temporary = SECRET.search(_reset(signed_in("admin"), victim.id).text).group(1)
    with staff_app.app_context():
        expires = User.get_by_id(victim.id).temporary_password_expires_at
        assert timedelta(hours=TEMPORARY_HOURS - 1) < expires - utcnow() <= timedelta(hours=TEMPORARY_HOURS)
        User.update(temporary_password_expires_at=utcnow() - timedelta(seconds=1)).where(
            User.id == victim.id
        ).execute()
    expired = post_password(staff_app.test_client(), victim, temporary)
    assert expired.status_code == 200 and "有効期限が切れています" in expired.text
    guessed = post_password(staff_app.test_client(), victim, "a guess at the password")
    assert "有効期限" not in guessed.text and "正しくありません" in guessed.text
    outcomes = [e.outcome for e in _events(staff_app, "signin.failure")]
    assert outcomes == ["password-expired", "refused"]


def test_only_an_administrator_resets_a_password_and_never_their_own(staff_app, accounts, signed_in):
    victim = accounts["operator"]
    before = _password_hash(staff_app, victim.id)
    for role in ("city", "consultant", "operator"):
        client = signed_in(role)
        refused = _reset(client, victim.id)
        unknown = client.post("/no-such-page", data={"csrf_token": csrf_from(client.get("/").text)})
        assert refused.status_code == 404 and without_tokens(refused.data) == without_tokens(unknown.data)
    admin = signed_in("admin")
    assert _reset(admin, accounts["admin"].id).status_code == 404, "one's own: the change page, knowing it"
    assert admin.get("/").status_code == 200
    assert _password_hash(staff_app, victim.id) == before
    assert _events(staff_app, "user.password-reset") == []
    with staff_app.app_context():
        assert StaffSession.select().where(StaffSession.revoked_at.is_null(False)).count() == 0


def test_an_administrator_never_holds_both_the_password_and_the_second_factor(staff_app, accounts, signed_in):
    admin = signed_in("admin")
    token = csrf_from(admin.get("/").text)
    operator, consultant = accounts["operator"], accounts["consultant"]

    # A temporary password waits: the second factor cannot be reset (the administrator would enrol it).
    assert _reset(admin, operator.id).status_code == 200
    refused = admin.post(
        f"/admin/users/{operator.id}/second-factor/reset", data={"csrf_token": token, "confirmed": "yes"}
    )
    assert refused.status_code == 303
    assert "二要素認証はリセットできません" in admin.get(refused.headers["Location"]).text
    with staff_app.app_context():
        assert User.get_by_id(operator.id).enrolled

    # No authenticator (after a second-factor reset): the password cannot be reset.
    reset = admin.post(
        f"/admin/users/{consultant.id}/second-factor/reset", data={"csrf_token": token, "confirmed": "yes"}
    )
    assert reset.status_code == 200
    before = _password_hash(staff_app, consultant.id)
    refused = _reset(admin, consultant.id)
    assert refused.status_code == 303
    assert "パスワードはリセットできません" in admin.get(refused.headers["Location"]).text
    assert _password_hash(staff_app, consultant.id) == before
    assert len(_events(staff_app, "user.password-reset")) == 1
