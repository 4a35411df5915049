"""Users see where they are signed in and end any or all of it after typing the password again;
administrators end everyone's sessions at once. Nobody reaches anyone else's session."""

from __future__ import annotations

import base64
import re
import secrets
from datetime import datetime, timedelta

from portal.core.models import AuditEvent, StaffSession, User
from portal.core.models.base import utcnow
from portal.staff.sessions import load_session, start_session
from tests.conftest import csrf_from, sign_in, statements_run
from tests.pages import without_tokens

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)


def _browser(staff_app, account, address: str, agent: str):
    """A signed-in browser at `address` sending `agent`."""
    client = staff_app.test_client()
    client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    assert sign_in(client, account).status_code == 303
    return client


def _session_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="session-(\d+)">', page)]


def _confirm(client, password: str):
    page = client.get("/account/sessions")
    return client.post(
        "/account/sessions/confirm", data={"csrf_token": csrf_from(page.text), "password": password}
    )


def _post(client, path: str, **fields: str):
    page = client.get("/")
    return client.post(path, data={"csrf_token": csrf_from(page.text), **fields})


def _outcomes(staff_app, action: str) -> list[str]:
    """What each event of `action` recorded as its outcome (for endings: how many sessions ended)."""
    with staff_app.app_context():
        events = AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.seq)
        return [event.outcome for event in events]


def _actions(staff_app) -> list[str]:
    with staff_app.app_context():
        return [event.action for event in AuditEvent.select().order_by(AuditEvent.seq)]


def test_a_user_sees_every_session_and_ends_one_or_all_others_after_typing_the_password(staff_app, accounts):
    city = accounts["city"]
    colleague = _browser(staff_app, accounts["consultant"], "127.0.0.5", FIREFOX_WINDOWS)
    here = _browser(staff_app, city, "127.0.0.2", FIREFOX_WINDOWS)
    phone = _browser(staff_app, city, "127.0.0.3", CHROME_ANDROID)
    other = _browser(staff_app, city, "127.0.0.4", "curl/8.5")

    page = here.get("/account/sessions")
    assert page.status_code == 200
    for shown in (
        "Firefox / Windows",
        "Chrome / Android",
        "不明な端末",
        "127.0.0.2",
        "127.0.0.3",
        "127.0.0.4",
    ):
        assert shown in page.text
    ids = _session_ids(page.text)
    assert len(ids) == 3 and "この端末" in page.text
    with staff_app.app_context():
        mine = {s.client: s.id for s in StaffSession.select()}
    assert "/end" not in page.text, "no end button before the password is typed again"

    # Without the password again, the buttons' URLs end nothing (a borrowed session cannot).
    assert _post(here, f"/account/sessions/{mine['127.0.0.3']}/end").status_code == 303
    assert _post(here, "/account/sessions/end-others").status_code == 303
    assert phone.get("/").status_code == 200 and other.get("/").status_code == 200

    wrong = _confirm(here, "not the password at all")
    assert wrong.status_code == 200 and "パスワードが正しくありません" in wrong.text
    assert _confirm(here, city.password).status_code == 303
    assert _post(here, f"/account/sessions/{mine['127.0.0.3']}/end").status_code == 303
    assert phone.get("/").status_code == 404 and other.get("/").status_code == 200
    assert sorted(_session_ids(here.get("/account/sessions").text)) == [mine["127.0.0.2"], mine["127.0.0.4"]]

    assert _post(here, "/account/sessions/end-others").status_code == 303
    assert other.get("/").status_code == 404 and here.get("/").status_code == 200
    assert _session_ids(here.get("/account/sessions").text) == [mine["127.0.0.2"]]
    assert colleague.get("/").status_code == 200, "another account's session is not one's own"
    assert _outcomes(staff_app, "session.ended-others") == ["1"], (
        "the one still open, not the one ended before"
    )
    actions = _actions(staff_app)
    for action in ("session.confirm-failure", "session.ended", "session.ended-others"):
        assert action in actions


def test_nobody_sees_or_ends_anyone_elses_session(staff_app, accounts):
    city = _browser(staff_app, accounts["city"], "127.0.0.2", FIREFOX_WINDOWS)
    consultant = _browser(staff_app, accounts["consultant"], "127.0.0.9", CHROME_ANDROID)
    with staff_app.app_context():
        city_session = StaffSession.get(StaffSession.client == "127.0.0.2").id
        own_session = StaffSession.get(StaffSession.client == "127.0.0.9").id
    page = consultant.get("/account/sessions").text
    assert _session_ids(page) == [own_session] and "127.0.0.2" not in page and "Firefox" not in page

    assert _confirm(consultant, accounts["consultant"].password).status_code == 303
    refused = _post(consultant, f"/account/sessions/{city_session}/end")
    unknown = _post(consultant, "/account/sessions/999999/end")
    assert refused.status_code == unknown.status_code == 404
    assert without_tokens(refused.data) == without_tokens(unknown.data)
    # Ending one's own current session here is not how one signs out.
    assert _post(consultant, f"/account/sessions/{own_session}/end").status_code == 404
    assert city.get("/").status_code == 200 and consultant.get("/").status_code == 200


def test_an_administrator_ends_every_users_sessions_at_once(staff_app, accounts):
    admin = _browser(staff_app, accounts["admin"], "127.0.0.2", FIREFOX_WINDOWS)
    others = [
        _browser(staff_app, accounts[role], f"127.0.0.{n}", CHROME_ANDROID)
        for n, role in enumerate(("city", "consultant", "operator", "admin"), start=3)
    ]
    # Anyone but an administrator is refused like an unknown URL, and nothing ends.
    assert _post(others[0], "/admin/sessions/end-all").status_code == 404
    assert all(client.get("/").status_code == 200 for client in others)

    # It asks first: unconfirmed, the answer is a page saying what will happen, and nothing ends.
    asked = _post(admin, "/admin/sessions/end-all")
    assert asked.status_code == 200 and 'name="confirmed" value="yes"' in asked.text
    assert all(client.get("/").status_code == 200 for client in others)

    signed_out = others.pop()
    assert _post(signed_out, "/logout").status_code in (302, 303)
    assert _post(admin, "/admin/sessions/end-all", confirmed="yes").status_code == 303
    assert all(client.get("/").status_code == 404 for client in others)
    assert admin.get("/").status_code == 200
    with staff_app.app_context():
        event = AuditEvent.get(AuditEvent.action == "sessions.ended-all")
        assert (event.actor_id, event.outcome) == (accounts["admin"].id, "3"), (
            "a session ended before is not counted"
        )
        assert StaffSession.select().where(StaffSession.revoked_at.is_null()).count() == 1


def test_signing_out_tells_the_browser_to_drop_what_it_kept(signed_in):
    """The intake's draft of a caller lives in the tab's storage: the sign-out answer clears it."""
    city = signed_in("city")
    answer = _post(city, "/logout")
    assert answer.status_code == 303 and answer.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert city.get("/").status_code == 404
    assert "data-signed-out" in city.get("/login").text


def test_the_list_holds_only_sessions_that_still_work_most_recently_used_first(
    staff_app, accounts, monkeypatch
):
    """At a fixed clock: a session idle for exactly the idle timeout, or as old as the lifetime, no
    longer works and is not listed; among those that do, the last used comes first, and of two used
    at the same moment, the newer."""
    here = _browser(staff_app, accounts["city"], "127.0.0.2", FIREFOX_WINDOWS)
    with staff_app.app_context():
        settings = staff_app.config["PORTAL"]
        idle = timedelta(minutes=settings.session_idle_minutes)
        lifetime = timedelta(hours=settings.session_lifetime_hours)
        now = utcnow() + timedelta(minutes=1)
        user = User.get_by_id(accounts["city"].id)

        def session(last_seen: datetime, created: datetime | None = None, **fields) -> int:
            row = StaffSession.create(
                token_hash=secrets.token_hex(32),
                user=user,
                client="127.0.0.9",
                last_seen_at=last_seen,
                created_at=created or now - timedelta(hours=1),
                **fields,
            )
            return row.id

        minute_ago = session(now - timedelta(minutes=1))
        same_minute_newer = session(now - timedelta(minutes=1))
        nearly_idle = session(now - idle + timedelta(seconds=1))
        five_minutes_ago = session(now - timedelta(minutes=5))
        session(now - idle)  # idle for exactly the timeout
        session(now, created=now - lifetime)  # exactly as old as the lifetime
        session(now, revoked_at=now - timedelta(minutes=2))
    monkeypatch.setattr("portal.staff.sessions.utcnow", lambda: now)

    page = here.get("/account/sessions")

    with staff_app.app_context():
        current = StaffSession.get(StaffSession.client == "127.0.0.2").id
    assert _session_ids(page.text) == [current, same_minute_newer, minute_ago, five_minutes_ago, nearly_idle]


def test_a_session_ends_when_idle_for_the_timeout_or_as_old_as_the_lifetime_to_the_second(
    staff_app, accounts, monkeypatch
):
    """load_session at a fixed clock agrees with the list of one's sessions: a second short of
    either limit still works, the limit itself does not. A token carries 256 random bits, and a
    request's session, user and organisation come in one statement."""
    now = utcnow() + timedelta(minutes=1)
    monkeypatch.setattr("portal.staff.sessions.utcnow", lambda: now)
    with staff_app.test_request_context():
        settings = staff_app.config["PORTAL"]
        idle = timedelta(minutes=settings.session_idle_minutes)
        lifetime = timedelta(hours=settings.session_lifetime_hours)
        user = User.get_by_id(accounts["city"].id)
        second = timedelta(seconds=1)
        ages = {
            "nearly idle": (now - idle + second, now - timedelta(hours=1)),
            "idle": (now - idle, now - timedelta(hours=1)),
            "nearly at its lifetime": (now, now - lifetime + second),
            "at its lifetime": (now, now - lifetime),
        }
        tokens = {}
        for name, (last_seen, created) in ages.items():
            tokens[name] = start_session(user, "127.0.0.9", "test")
            row = StaffSession.select().order_by(StaffSession.id.desc()).get()
            row.last_seen_at, row.created_at = last_seen, created
            row.save()
        assert {len(base64.urlsafe_b64decode(token + "=")) for token in tokens.values()} == {32}
        run = statements_run(monkeypatch)
        working = load_session(tokens["nearly at its lifetime"])
        assert working.organisation.name and len(run) == 1
        works = {name: load_session(token) is not None for name, token in tokens.items()}
    assert works == {
        "nearly idle": True,
        "idle": False,
        "nearly at its lifetime": True,
        "at its lifetime": False,
    }
