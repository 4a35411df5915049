"""Signing in, second factor, sessions and throttles, attacked as C19 to C26 describe."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from portal.core.models import AuditEvent, Organisation, RecoveryCode, StaffSession, Throttle, User
from portal.core.models.base import utcnow
from portal.staff.security import passwords
from tests.conftest import (
    CODE_CLOCK,
    admin_creates_user,
    csrf_from,
    decide_approval,
    make_account,
    next_code,
    sign_in,
)

SESSION_COOKIE = "madoguchi-staff"


def post_password(client, account, password=None, environ=None):
    environ = environ or {}
    page = client.get("/login", environ_base=environ)
    return client.post(
        "/login",
        data={
            "csrf_token": csrf_from(page.text),
            "email": account.email,
            "password": password or account.password,
        },
        environ_base=environ,
    )


def post_code(client, code, path="/login/code", environ=None):
    page = client.get(path, environ_base=environ or {})
    return client.post(
        path, data={"csrf_token": csrf_from(page.text), "code": code}, environ_base=environ or {}
    )


def cookie_value(client) -> str | None:
    cookie = client.get_cookie(SESSION_COOKIE)
    return cookie.value if cookie else None


def test_sign_in_needs_password_then_code(client, accounts):
    account = accounts["city"]
    assert post_password(client, account).headers["Location"] == "/login/code"
    assert client.get("/").status_code == 404, "the password alone opens nothing"
    response = post_code(client, next_code(account))
    assert response.status_code == 303 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert account.email in home.text and 'action="/logout"' in home.text


@pytest.mark.parametrize("replayed", ["the same code", "an older code"])
def test_a_totp_code_works_once_and_older_ones_no_more(staff_app, accounts, replayed):
    account = accounts["city"]
    older, code = next_code(account), next_code(account)  # the clock stands at `code`'s step
    first, second = staff_app.test_client(), staff_app.test_client()
    post_password(first, account)
    post_password(second, account)
    assert post_code(first, code).status_code == 303
    replay = post_code(second, code if replayed == "the same code" else older)  # older: still in the drift
    assert replay.status_code == 200 and "すでに使われています" in replay.text
    assert second.get("/").status_code == 404


def test_session_id_is_new_at_sign_in_and_pre_sign_in_cookie_opens_nothing(staff_app, accounts):
    client = staff_app.test_client()
    account = accounts["city"]
    post_password(client, account)
    before = cookie_value(client)
    post_code(client, next_code(account))
    after = cookie_value(client)
    assert before and after and before != after
    attacker = staff_app.test_client()
    attacker.set_cookie(SESSION_COOKIE, before)
    assert attacker.get("/").status_code == 404


def test_replayed_cookie_after_sign_out_is_refused(staff_app, signed_in):
    client = signed_in("city")
    stolen = cookie_value(client)
    token = csrf_from(client.get("/").text)
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    replay = staff_app.test_client()
    replay.set_cookie(SESSION_COOKIE, stolen)
    assert replay.get("/").status_code == 404
    with staff_app.app_context():
        assert StaffSession.select().where(StaffSession.revoked_at.is_null()).count() == 0


@pytest.mark.parametrize("field", ["last_seen_at", "created_at"])
def test_idle_timeout_and_absolute_lifetime(staff_app, signed_in, field):
    client = signed_in("city")
    settings = staff_app.config["PORTAL"]
    limit = (
        timedelta(minutes=settings.session_idle_minutes)
        if field == "last_seen_at"
        else timedelta(hours=settings.session_lifetime_hours)
    )
    with staff_app.app_context():
        StaffSession.update({field: utcnow() - limit + timedelta(minutes=1)}).execute()
    assert client.get("/").status_code == 200
    with staff_app.app_context():
        StaffSession.update({field: utcnow() - limit - timedelta(seconds=1)}).execute()
    assert client.get("/").status_code == 404


def test_one_account_at_work_keeps_no_other_session_alive(staff_app, signed_in, accounts):
    idle, busy = signed_in("consultant"), signed_in("city")
    limit = timedelta(minutes=staff_app.config["PORTAL"].session_idle_minutes)
    with staff_app.app_context():
        idle_session = StaffSession.get(StaffSession.user == accounts["consultant"].id)
        StaffSession.update(last_seen_at=utcnow() - limit + timedelta(seconds=30)).where(
            StaffSession.id == idle_session.id
        ).execute()
    assert busy.get("/").status_code == 200
    with staff_app.app_context():
        StaffSession.update(last_seen_at=utcnow() - limit - timedelta(seconds=1)).where(
            StaffSession.id == idle_session.id
        ).execute()
    assert busy.get("/").status_code == 200  # marks its own session as seen, no other
    token = csrf_from(busy.get("/").text)
    stay = busy.post("/session/keepalive", headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert stay.status_code == 204  # "stay signed in" pushes its own timeout out, no other
    assert idle.get("/").status_code == 404, "the idle session ended on time"


def test_each_session_seals_drafts_under_a_key_of_its_own(staff_app, signed_in, accounts):
    first, second = signed_in("operator"), signed_in("operator")
    keys = {
        re.search(r'data-draft-key="([^"]+)"', client.get("/intake").text).group(1)
        for client in (first, second)
    }
    assert len(keys) == 2, "a draft left by one session opens under no other"


def test_keepalive_pushes_the_idle_timeout_out(staff_app, signed_in):
    client = signed_in("city")
    token = csrf_from(client.get("/").text)
    with staff_app.app_context():
        StaffSession.update(last_seen_at=utcnow() - timedelta(minutes=25)).execute()
    assert (
        client.post("/session/keepalive", headers={"X-CSRFToken": token, "HX-Request": "true"}).status_code
        == 204
    )
    with staff_app.app_context():
        assert utcnow() - StaffSession.get().last_seen_at < timedelta(seconds=5)


def test_the_idle_warning_is_on_every_signed_in_page(signed_in):
    page = signed_in("city").get("/")
    assert 'id="idle-warning"' in page.text and 'data-idle-seconds="1800"' in page.text
    assert 'hx-history="false"' in page.text


def test_a_disabled_account_is_signed_out_on_its_next_request(staff_app, signed_in, accounts):
    client = signed_in("operator")
    with staff_app.app_context():
        User.update(disabled_at=utcnow()).where(User.id == accounts["operator"].id).execute()
    assert client.get("/").status_code == 404
    refused = post_password(staff_app.test_client(), accounts["operator"])
    assert refused.status_code == 200 and "正しくありません" in refused.text


def test_expired_accounts_and_ended_contracts_stop_working(staff_app, signed_in, accounts):
    client = signed_in("operator")
    yesterday = date.today() - timedelta(days=2)
    with staff_app.app_context():
        Organisation.update(contract_ends_on=yesterday).where(
            Organisation.id == User.get_by_id(accounts["operator"].id).organisation_id
        ).execute()
    assert client.get("/").status_code == 404
    refused = post_password(staff_app.test_client(), accounts["operator"])
    assert refused.status_code == 200 and "正しくありません" in refused.text

    client = signed_in("consultant")
    with staff_app.app_context():
        User.update(expires_on=yesterday).where(User.id == accounts["consultant"].id).execute()
    assert client.get("/").status_code == 404
    refused = post_password(staff_app.test_client(), accounts["consultant"])
    assert refused.status_code == 200 and "正しくありません" in refused.text


def test_wrong_passwords_are_refused_progressively_without_locking_out_other_addresses(
    staff_app, accounts, still_clock
):
    account = accounts["city"]
    attacker = staff_app.test_client()
    for _ in range(5):
        response = post_password(attacker, account, password="wrong password!!")
        assert response.status_code == 200 and "正しくありません" in response.text
    refused = post_password(attacker, account)
    assert refused.status_code == 200 and "試行回数が多すぎます" in refused.text
    with staff_app.app_context():
        throttle = Throttle.select().where(Throttle.key.startswith("account:")).get()
        assert throttle.blocked_until > still_clock
        actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.seq)]
    assert actions.count("signin.failure") == 5 and "signin.throttled" in actions
    # The real user, elsewhere on the staff network, still signs in.
    elsewhere = {"REMOTE_ADDR": "127.0.0.2"}
    real_user = staff_app.test_client()
    assert post_password(real_user, account, environ=elsewhere).status_code == 303
    # The refusal is by time: once it has passed, the right password works again.
    with staff_app.app_context():
        Throttle.update(blocked_until=still_clock - timedelta(seconds=1)).execute()
    assert post_password(attacker, account).status_code == 303


def test_the_delay_grows_with_each_failure_and_is_capped():
    from portal.staff.security.throttle import MAX_DELAY, _delay

    delays = [_delay(n, 5) for n in range(5, 30)]
    assert delays[0] < delays[1] < delays[2]
    assert max(delays) == MAX_DELAY
    assert _delay(4, 5) is None


def test_one_address_trying_many_accounts_is_throttled(staff_app, accounts, still_clock):
    client = staff_app.test_client()
    for number in range(20):
        page = client.get("/login")
        client.post(
            "/login",
            data={
                "csrf_token": csrf_from(page.text),
                "email": f"guess{number}@example.jp",
                "password": "nope nope nope",
            },
        )
    refused = post_password(client, accounts["admin"])
    assert "試行回数が多すぎます" in refused.text


def test_wrong_codes_are_throttled(staff_app, accounts, still_clock):
    client = staff_app.test_client()
    account = accounts["city"]
    post_password(client, account)
    for _ in range(4):
        assert "正しくない" in post_code(client, "000000").text
    assert "試行回数が多すぎます" in post_code(client, next_code(account)).text


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/admin/users", "/admin/users"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/%0d%0aSet-Cookie:x=y", "/%0d%0aSet-Cookie:x=y"),
    ],
)
def test_next_only_goes_to_our_own_paths(staff_app, accounts, target, expected):
    client = staff_app.test_client()
    response = sign_in(client, accounts["admin"], next_url=target)
    assert response.headers["Location"] == expected


def test_pending_second_factor_expires(staff_app, accounts):
    client = staff_app.test_client()
    post_password(client, accounts["city"])
    with client.session_transaction() as session:
        pending = session["pending_sign_in"]
        pending["at"] -= 301
        session["pending_sign_in"] = pending
    assert client.get("/login/code").headers["Location"] == "/login"


def test_enrolment_at_first_sign_in_with_qr_code_and_recovery_codes(staff_app, signed_in):
    created = admin_creates_user(signed_in("admin"), "new@example.jp", "consultant", "架空行政書士会")
    assert decide_approval(signed_in("city"), "new@example.jp").status_code == 303
    first_password = re.search(r'<code class="secret">([^<]+)</code>', created.text).group(1)
    own_password = "自分で決めた新しいパスワード 2026"

    def password_step(client, password):
        page = client.get("/login")
        return client.post(
            "/login",
            data={"csrf_token": csrf_from(page.text), "email": "new@example.jp", "password": password},
        )

    def enrol_step(client, code, new_password=own_password):
        page = client.get("/login/enrol")
        return client.post(
            "/login/enrol",
            data={"csrf_token": csrf_from(page.text), "code": code, "new_password": new_password},
        )

    # Someone else who knows the first password sees a different seed: nothing to plant.
    intruder = staff_app.test_client()
    password_step(intruder, first_password)
    intruder_page = intruder.get("/login/enrol").text
    intruder_seed = re.search(r'<code class="secret">([A-Z2-7]+)</code>', intruder_page)

    client = staff_app.test_client()
    assert password_step(client, first_password).headers["Location"] == "/login/enrol"
    assert client.get("/login/code").headers["Location"] == "/login/enrol"
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', client.get("/login/enrol").text).group(1)
    assert secret != intruder_seed.group(1)
    qr = client.get("/login/enrol/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
    assert "正しくありません" in enrol_step(client, "123456").text
    assert "よく使われている" in enrol_step(client, CODE_CLOCK.code(secret), "password1234").text
    done = enrol_step(client, CODE_CLOCK.code(secret))
    codes = re.findall(r"<li><code>([a-z2-7]{4}(?:-[a-z2-7]{4}){5})</code></li>", done.text)
    assert len(codes) == 10
    assert client.get("/").headers["Location"] == "/pledge?next=/", "the confidentiality pledge comes first"
    pledge = client.get("/pledge").text
    assert client.post("/pledge", data={"csrf_token": csrf_from(pledge), "agree": "y"}).status_code == 303
    assert client.get("/").status_code == 200
    assert client.get("/login/enrol/qr.svg").status_code == 404
    with staff_app.app_context():
        user = User.get(User.email == "new@example.jp")
        assert RecoveryCode.select().where(RecoveryCode.user == user).count() == 10
        assert secret.encode() not in bytes(user.totp_secret)
    # The intruder's pending enrolment is worthless now, and so is the first password.
    late = intruder.post(
        "/login/enrol",
        data={
            "csrf_token": csrf_from(intruder_page),
            "code": CODE_CLOCK.code(intruder_seed.group(1)),
            "new_password": "intruder's own password!",
        },
    )
    assert late.status_code == 303 and late.headers["Location"] == "/login/code"
    assert password_step(staff_app.test_client(), first_password).status_code == 200

    # A recovery code signs in once.
    for attempt in range(2):
        other = staff_app.test_client()
        password_step(other, own_password)
        response = post_code(other, codes[0])
        assert response.status_code == (303 if attempt == 0 else 200)


def test_the_qr_code_needs_a_pending_enrolment(client):
    assert client.get("/login/enrol/qr.svg").status_code == 404
    assert client.get("/login/enrol").headers["Location"] == "/login"


def test_cookies_are_httponly_samesite_and_secure_with_host_prefix_over_tls(staff_app, accounts):
    client = staff_app.test_client()
    page = client.get("/login")
    header = page.headers["Set-Cookie"]
    assert header.startswith("madoguchi-staff=") and "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header
    tls = client.get("/login", base_url="https://localhost")
    header = tls.headers["Set-Cookie"]
    assert header.startswith("__Host-madoguchi-staff=") and "Secure" in header and "Path=/" in header
    assert "Domain" not in header


@pytest.mark.parametrize(
    "password,problem",
    [
        ("x" * 64, "too_common"),
        ("短い", "too_short"),
        ("窓口の予約は月曜日から金曜日まで受け付けています", None),
        ("Tq7#mZ!w9@Lp" * 5 + "abcd", None),
        ("y" * 257, "too_long"),
    ],
)
def test_password_policy(password, problem):
    assert passwords.policy_problem(password) == problem


def test_common_passwords_from_breach_lists_are_refused():
    common = next(p for p in passwords._common_passwords() if len(p) >= 12)
    assert passwords.policy_problem(common) == "too_common"
    assert passwords.policy_problem("madoguchi-user-1234", "madoguchi-user@example.jp") == "too_common"


def test_long_and_japanese_passwords_sign_in(staff_app):
    for password in ("ｐａｓｓｗｏｒｄは全角で書いた長い日本語の合言葉です", "Tq7#mZ!w9@Lp" * 5 + "abcd"):
        account = make_account(staff_app, "city", email=f"{len(password)}@example.jp")
        account.password = password
        with staff_app.app_context():
            User.update(password_hash=passwords.hash_password(password)).where(
                User.id == account.id
            ).execute()
        assert sign_in(staff_app.test_client(), account).status_code == 303


def test_argon2_hashes_are_stored(staff_app, accounts):
    with staff_app.app_context():
        assert User.get_by_id(accounts["city"].id).password_hash.startswith("$argon2id$")


def test_full_width_codes_from_a_japanese_input_method_are_accepted(client, accounts):
    account = accounts["city"]
    post_password(client, account)
    code = next_code(account).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert post_code(client, code).status_code == 303


@pytest.mark.parametrize("email", ["a\x00@example.jp", "city@example.jp\x00", "\x1b[31m@example.jp"])
def test_control_characters_are_refused_with_a_message(client, email):
    page = client.get("/login")
    response = client.post(
        "/login", data={"csrf_token": csrf_from(page.text), "email": email, "password": "x" * 12}
    )
    assert response.status_code == 200 and "使用できない文字" in response.text


@pytest.mark.parametrize("target", ["//[", "/[::1", "//%5B", "/\x00"])
def test_malformed_next_targets_fall_back_instead_of_failing(client, target):
    response = client.get("/language/en", query_string={"next": target})
    location = response.headers["Location"]
    assert response.status_code == 303 and location.startswith("/") and not location.startswith("//")


def test_parallel_guesses_cannot_outrun_the_throttle(staff_app, accounts, still_clock):
    from concurrent.futures import ThreadPoolExecutor

    account = accounts["city"]
    clients = [staff_app.test_client() for _ in range(16)]
    tokens = [csrf_from(c.get("/login").text) for c in clients]

    def guess(index: int) -> str:
        data = {"csrf_token": tokens[index], "email": account.email, "password": f"wrong guess {index}!"}
        return clients[index].post("/login", data=data).text

    with ThreadPoolExecutor(max_workers=16) as pool:
        pages = list(pool.map(guess, range(16)))
    evaluated = sum("正しくありません" in page for page in pages)
    assert evaluated <= 5 and evaluated + sum("試行回数が多すぎます" in p for p in pages) == 16
