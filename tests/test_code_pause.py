"""Wrong second-factor codes for one account from many addresses: the pause and what follows it.

The attack an outside review made: someone who knows a password guesses the code from twenty
addresses, four guesses each (under every per-address limit), eighty in all, while the real user
keeps signing in. The account's code entry must pause after the tenth wrong code, the holder and
the administrators must be told without personal data, and the password must be replaced at the
next sign-in before anything else opens.
"""

from __future__ import annotations

import http.cookiejar
import re
import secrets
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlencode

import pyotp
import pytest

from portal.core.models import AuditEvent, StaffSession, Throttle, User
from portal.core.models.base import utcnow
from portal.staff.security import throttle, totp
from tests.conftest import CODE_CLOCK, PASSWORD, Account, csrf_from, next_code, sign_in
from tests.servers import instance_env, waitress
from tests.test_auth import post_code, post_password
from tests.test_gate import closed_rules, sample_urls

STAFF_URL = "https://staff.example.jp"
WRONG = "確認コードが正しくないか"
PAUSED = "まで停止しています"
THROTTLED = "試行回数が多すぎます"
NEW_PASSWORD = "停止のあとで決めた新しい合言葉 2026"
PAUSE = timedelta(hours=1)  # the decision, written out again: ten wrong codes in an hour pause it an hour


@pytest.fixture
def config(config, smtp):
    """Mail goes to a real SMTP server on this machine."""
    return {**config, **smtp.settings, "STAFF_URL": STAFF_URL}


@dataclass
class Clock:
    """The throttle's clock: it stands still until a test moves it on."""

    now: datetime

    def advance(self, by: timedelta) -> None:
        self.now += by


@pytest.fixture
def clock(monkeypatch) -> Clock:
    import portal.staff.security.throttle

    clock = Clock(portal.staff.security.throttle.utcnow())
    monkeypatch.setattr(portal.staff.security.throttle, "utcnow", lambda: clock.now)
    return clock


def wrong_code(account: Account) -> str:
    """A six-digit code valid neither on the clock in-process instances check nor on the real one
    (servers in other processes), nor within two steps of either."""
    codes = pyotp.TOTP(account.totp_secret)
    valid = {codes.at(now + 30 * drift) for now in (totp.now(), time.time()) for drift in range(-2, 3)}
    while (code := f"{secrets.randbelow(1_000_000):06d}") in valid:
        pass
    return code


def address(number: int) -> dict:
    """A client address on the staff network (loopback), as the server sees the socket's peer."""
    return {"REMOTE_ADDR": f"127.0.{number // 250}.{number % 250 + 2}"}


def actions(app) -> list[AuditEvent]:
    with app.app_context():
        return list(AuditEvent.select().order_by(AuditEvent.seq))


def count(events: list[AuditEvent], action: str) -> int:
    return sum(event.action == action for event in events)


def attack(app, victim: Account, addresses: range, guesses: int, between=None) -> list[str]:
    """The password (known to the attacker), then `guesses` wrong codes, from each address in turn."""
    pages = []
    for number in addresses:
        attacker = app.test_client()
        assert post_password(attacker, victim, environ=address(number)).headers["Location"] == "/login/code"
        for _ in range(guesses):
            pages.append(post_code(attacker, wrong_code(victim), environ=address(number)).text)
        if between:
            between(number)
    return pages


def assert_holds_no_personal_data(text: str, victim: Account) -> None:
    assert victim.email not in text and "@" not in text
    assert not re.search(r"127\.0\.\d+\.\d+", text), "no client address"


def test_eighty_wrong_codes_from_twenty_addresses_pause_the_account_and_force_a_new_password(
    staff_app, accounts, smtp, clock
):
    victim = accounts["city"]

    def real_user_signs_in(number: int) -> None:
        if number == 1:  # after eight wrong codes: signing in takes back only its own count
            assert sign_in(staff_app.test_client(), victim).headers["Location"] == "/"

    pages = attack(staff_app, victim, range(20), guesses=4, between=real_user_signs_in)

    assert len(pages) == 80
    evaluated = [page for page in pages if WRONG in page]
    refused = [page for page in pages if WRONG not in page]
    assert len(evaluated) == 10, "the tenth wrong code pauses the account, wherever the guesses come from"
    assert PAUSED in evaluated[-1] and all(PAUSED not in page for page in evaluated[:-1])
    assert len(refused) == 70 and all(
        PAUSED in page and "正しいコードも受け付けません" in page for page in refused
    )
    assert not any(THROTTLED in page for page in pages), "each address stayed under its own limit"

    # The real user's right code is refused too while the pause lasts, and no session starts.
    with staff_app.app_context():
        sessions_before = StaffSession.select().where(StaffSession.user == victim.id).count()
    real_user = staff_app.test_client()
    assert post_password(real_user, victim).headers["Location"] == "/login/code"
    during = post_code(real_user, next_code(victim))
    assert during.status_code == 200 and PAUSED in during.text and "本人と管理者" in during.text
    assert real_user.get("/").status_code == 404
    with staff_app.app_context():
        assert StaffSession.select().where(StaffSession.user == victim.id).count() == sessions_before
        assert User.get_by_id(victim.id).password_change_required

    events = actions(staff_app)
    assert count(events, "signin.code-failure") == 10
    [paused] = [event for event in events if event.action == "signin.codes-paused"]
    assert (paused.object_type, paused.object_id) == ("user", str(victim.id))
    assert count(events, "signin.code-while-paused") == 71, (
        "every refused code is audited, the real user's too"
    )
    assert [e.outcome for e in events if e.action == "mail.codes-paused"] == ["ok"]

    # The holder and the administrator are mailed once each, without personal data.
    admin = accounts["admin"]
    assert sorted(m["To"] for m in smtp.messages) == sorted([victim.email, admin.email])
    [to_holder], [to_admin] = smtp.to(victim.email), smtp.to(admin.email)
    for message in (to_holder, to_admin):
        body = message.get_content()
        assert_holds_no_personal_data(message["Subject"] + body, victim)
        assert "確認コードの入力を一時停止しました" in message["Subject"]
    assert "あなたのアカウント" in to_holder.get_content() and f"{STAFF_URL}/login" in to_holder.get_content()
    admin_body = to_admin.get_content()
    assert f"アカウント番号 {victim.id}（市職員）" in admin_body
    assert f"{STAFF_URL}/admin/users/{victim.id}" in admin_body

    # A notice on the administrator's home page; none on other roles' pages.
    admin_client = staff_app.test_client()
    sign_in(admin_client, admin)
    admin_home = admin_client.get("/").text
    assert (
        f"アカウント番号 {victim.id}（市職員）" in admin_home
        and f'href="/admin/users/{victim.id}"' in admin_home
    )
    notice = admin_home.split('role="alert"')[1].split("</div>")[0]
    assert_holds_no_personal_data(notice, victim)
    panels = admin_home.split('<div class="panels">')[1]
    assert panels.index('id="account-notices"') < panels.index('id="panel-accounts"'), "notices first"
    detail = admin_client.get(f"/admin/users/{victim.id}").text
    assert "入力を停止中" in detail and "次のサインインで変更が必要" in detail
    for role in ("operator", "consultant"):
        other = staff_app.test_client()
        sign_in(other, accounts[role])
        assert "確認コード" not in other.get("/").text

    # After the pause, the right password and code lead to the new-password page and nowhere else.
    clock.advance(PAUSE + timedelta(seconds=1))
    assert post_password(real_user, victim).headers["Location"] == "/login/code"
    forced = post_code(real_user, next_code(victim))
    assert forced.status_code == 303 and forced.headers["Location"] == "/login/new-password"
    assert real_user.get("/login/code").headers["Location"] == "/login/new-password"
    for rule in closed_rules(staff_app):
        for url in sample_urls(staff_app, rule, ids=(victim.id,)):
            for method in {"GET", "POST"} & rule.methods:
                assert real_user.open(url, method=method).status_code == 404, (method, url)
    with staff_app.app_context():
        assert StaffSession.select().where(StaffSession.user == victim.id).count() == sessions_before

    form = real_user.get("/login/new-password").text
    assert form.count('type="password"') == 2 and form.count('autocomplete="new-password"') == 2
    assert "onpaste" not in form, "password managers and pasting work"

    def choose(new: str, again: str | None = None):
        page = real_user.get("/login/new-password")
        data = {"csrf_token": csrf_from(page.text), "new_password": new, "confirm_password": again or new}
        return real_user.post("/login/new-password", data=data)

    assert "今までのパスワードとは違う" in choose(PASSWORD).text
    assert "12文字以上" in choose("短すぎる").text
    assert "よく使われている" in choose("password1234").text
    assert "同じパスワードをもう一度" in choose(NEW_PASSWORD, NEW_PASSWORD + "x").text
    pending_cookie = real_user.get_cookie("madoguchi-staff").value
    done = choose(NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["Location"] == "/"
    home = real_user.get("/")
    assert home.status_code == 200 and "あなたのアカウントに誤った確認コードが続けて入力された" in home.text
    events = actions(staff_app)
    [changed] = [event for event in events if event.action == "user.password-changed"]
    assert (changed.actor_id, changed.object_id) == (victim.id, str(victim.id))
    assert [e.outcome for e in events if e.action == "mail.password-changed"] == ["ok"]
    with staff_app.app_context():
        open_sessions = StaffSession.select().where(
            StaffSession.user == victim.id, StaffSession.revoked_at.is_null()
        )
        assert open_sessions.count() == 1, "the change ends the sessions signed in with the old password"

    # The change happens once: the page's cookie replayed cannot set another password.
    replay = staff_app.test_client()
    replay.set_cookie("madoguchi-staff", pending_cookie)
    assert replay.get("/login/new-password").headers["Location"] == "/login"
    # The old password is dead, the new one signs in straight to the home page.
    assert "正しくありません" in post_password(staff_app.test_client(), victim).text
    victim.password = NEW_PASSWORD
    assert sign_in(staff_app.test_client(), victim).headers["Location"] == "/"


def test_one_address_is_throttled_by_its_own_limit_and_a_few_wrong_codes_pause_nothing(
    staff_app, accounts, smtp, clock
):
    victim = accounts["operator"]
    pages = attack(staff_app, victim, range(1), guesses=6)
    assert [WRONG in page for page in pages] == [True] * 4 + [False] * 2
    assert all(THROTTLED in page for page in pages[4:])
    # The account itself is not paused: the real user elsewhere signs in as usual.
    assert sign_in(staff_app.test_client(), victim).headers["Location"] == "/"
    assert smtp.messages == [] and count(actions(staff_app), "signin.codes-paused") == 0


def test_the_count_starts_afresh_an_hour_after_the_first_wrong_code(staff_app, accounts, smtp, clock):
    victim = accounts["consultant"]
    pages = attack(staff_app, victim, range(0, 3), guesses=3)  # nine wrong codes
    clock.advance(timedelta(minutes=59))
    pages += attack(staff_app, victim, range(3, 4), guesses=1)  # the tenth, within the hour
    assert all(WRONG in page for page in pages) and PAUSED in pages[-1]
    assert count(actions(staff_app), "signin.codes-paused") == 1

    clock.advance(PAUSE + timedelta(seconds=1))
    pages = attack(staff_app, victim, range(4, 7), guesses=3)  # nine in a fresh window
    clock.advance(timedelta(hours=1))
    pages += attack(staff_app, victim, range(7, 10), guesses=3)  # nine in the window after it
    assert all(WRONG in page and PAUSED not in page for page in pages)
    assert count(actions(staff_app), "signin.codes-paused") == 1


def test_simultaneous_wrong_codes_are_evaluated_ten_times_and_pause_once(staff_app, accounts, smtp, clock):
    from concurrent.futures import ThreadPoolExecutor

    victim = accounts["city"]
    clients = [staff_app.test_client() for _ in range(24)]
    forms = []
    for number, client in enumerate(clients):
        post_password(client, victim, environ=address(number))
        forms.append(csrf_from(client.get("/login/code", environ_base=address(number)).text))

    def guess(number: int) -> str:
        data = {"csrf_token": forms[number], "code": wrong_code(victim)}
        return clients[number].post("/login/code", data=data, environ_base=address(number)).text

    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(guess, range(24)))
    evaluated = [page for page in pages if WRONG in page]
    assert len(evaluated) == 10 and sum(PAUSED in page for page in evaluated) == 1
    # Refused while the tenth was still being checked (throttled), or once the pause began.
    assert all(PAUSED in page or THROTTLED in page for page in pages if WRONG not in page)
    assert count(actions(staff_app), "signin.codes-paused") == 1 and len(smtp.messages) == 2


def test_an_enrolment_after_a_pause_replaces_the_password_and_the_requirement(
    staff_app, accounts, signed_in, smtp, clock
):
    victim = accounts["consultant"]
    attack(staff_app, victim, range(3), guesses=4)
    with staff_app.app_context():
        assert User.get_by_id(victim.id).password_change_required
    # The administrator resets the second factor (the holder lost the device, say).
    admin = signed_in("admin")
    reset = f"/admin/users/{victim.id}/second-factor/reset"
    answer = admin.post(reset, data={"csrf_token": csrf_from(admin.get("/").text), "confirmed": "yes"})
    handed_over = re.search(r'<code class="secret">(\d{4}-\d{4}-\d{4})</code>', answer.text).group(1)
    clock.advance(PAUSE + timedelta(seconds=1))
    client = staff_app.test_client()
    assert post_password(client, victim).headers["Location"] == "/login/enrol"
    seed = re.search(r'<code class="secret">([A-Z2-7]+)</code>', client.get("/login/enrol").text).group(1)

    def enrol(new_password: str):
        page = client.get("/login/enrol")
        data = {
            "csrf_token": csrf_from(page.text),
            "code": CODE_CLOCK.code(seed),
            "new_password": new_password,
            "enrolment_code": handed_over,
        }
        return client.post("/login/enrol", data=data)

    assert "今までのパスワードとは違う" in enrol(PASSWORD).text
    recovery = re.findall(r"<li><code>[a-z2-7]{4}(?:-[a-z2-7]{4}){5}</code></li>", enrol(NEW_PASSWORD).text)
    assert len(recovery) == 10
    assert client.get("/").status_code == 200
    with staff_app.app_context():
        assert not User.get_by_id(victim.id).password_change_required


def _http_client(base: str, number: int):
    """A browser whose connections leave from its own loopback address, so the server sees it."""
    source = f"127.0.{number // 250}.{number % 250 + 2}"

    class FromAddress(urllib.request.HTTPHandler):
        def http_open(self, request):
            return self.do_open(partial(HTTPConnection, source_address=(source, 0)), request)

    opener = urllib.request.build_opener(
        FromAddress, urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def post(path: str, **fields: str) -> str:
        page = opener.open(base + path, timeout=10).read().decode()
        data = urlencode({"csrf_token": csrf_from(page), **fields}).encode()
        with opener.open(base + path, data, timeout=10) as response:
            return response.read().decode()

    return post


def test_two_server_processes_count_the_same_wrong_codes(config, accounts, staff_app):
    env = instance_env(
        Path(config["INSTANCE_PATH"]),
        PORTAL_DATABASE_URL=config["DATABASE_URL"],
        PORTAL_PUBLIC_DATABASE_URL=config["PUBLIC_DATABASE_URL"],
        PORTAL_AUDIT_ANCHOR=str(config["AUDIT_ANCHOR"]),
        PORTAL_SMTP_HOST="",
    )
    victim = accounts["city"]
    with waitress("staff", env) as first, waitress("staff", env) as second:
        pages = []
        for number in range(10):  # two wrong codes from each of five addresses on each server
            post = _http_client((first, second)[number % 2], number)
            post("/login", email=victim.email, password=victim.password)
            pages += [post("/login/code", code=wrong_code(victim)) for _ in range(2)]
        assert sum(WRONG in page for page in pages) == 10 and sum(PAUSED in page for page in pages) == 11
        for server in (first, second):
            post = _http_client(server, 100)
            post("/login", email=victim.email, password=victim.password)
            right_code = pyotp.TOTP(victim.totp_secret).now()  # these servers keep the real clock
            assert PAUSED in post("/login/code", code=right_code)


def test_a_right_code_takes_back_one_count_of_its_own_key_and_never_below_none(staff_app):
    with staff_app.app_context():
        for key, failures in {"codes-1": 2, "codes-2": 2, "codes-3": 0, "codes-4": 1}.items():
            Throttle.create(key=key, failures=failures)
        for key in ("codes-1", "codes-3", "codes-4"):
            throttle.take_back(key)
        counts = {row.key: row.failures for row in Throttle.select()}
    assert counts == {"codes-1": 1, "codes-2": 2, "codes-3": 0, "codes-4": 0}


def test_a_sign_in_clears_its_account_and_takes_one_count_off_its_address_only(staff_app):
    later = utcnow() + timedelta(minutes=5)
    with staff_app.app_context():
        counts = {"account": 4, "address": 3, "other address": 3, "once": 1, "quiet address": 0}
        for key, failures in counts.items():
            Throttle.create(key=key, failures=failures, blocked_until=later if failures else None)
        throttle.forgive("address", "account")
        throttle.forgive("once")
        throttle.forgive("quiet address")
        left = {row.key: (row.failures, row.blocked_until is not None) for row in Throttle.select()}
    assert left == {
        "address": (2, False),
        "other address": (3, True),
        "once": (0, False),
        "quiet address": (0, False),
    }


def test_counts_taken_back_to_none_leave_no_window_open():
    """The next wrong code opens a window of its own, from its own moment."""
    start = datetime(2026, 11, 30, 9, 0)
    row = Throttle(key="codes-1", failures=0, window_started_at=start)
    throttle.ACCOUNT_CODES.count(row, start + timedelta(minutes=5))
    assert (row.failures, row.window_started_at) == (1, start + timedelta(minutes=5))


def test_throttle_keys_group_an_ipv6_network_and_never_hold_an_email():
    same_network = {throttle.address_key(a) for a in ("2001:db8:1:2::1", "2001:db8:1:2:ffff::9")}
    assert same_network == {"address:2001:db8:1:2::/64"}
    assert throttle.address_key("2001:db8:1:3::1") == "address:2001:db8:1:3::/64"
    assert throttle.address_key("192.0.2.7") == "address:192.0.2.7"
    assert throttle.address_key("unix:" + "x" * 60) == "address:unix:" + "x" * 40, "not an address: cut"
    key = throttle.account_key("secret", " Hanako@Example.jp ", "192.0.2.7")
    assert key == throttle.account_key("secret", "hanako@example.jp", "192.0.2.7")
    assert key.startswith("account:") and len(key) == len("account:") + 64 and "hanako" not in key
    assert key != throttle.account_key("secret", "hanako@example.jp", "192.0.2.8")


def test_the_wait_doubles_from_one_second_after_the_allowance_up_to_its_cap():
    limit, now = throttle.Doubling(allowance=3), datetime(2026, 11, 30, 9, 0)
    row, waits = Throttle(key="account:x", failures=0), []
    for _ in range(15):
        limit.count(row, now)
        waits.append(row.blocked_until and (row.blocked_until - now).total_seconds())
    assert waits == [None, None, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]
