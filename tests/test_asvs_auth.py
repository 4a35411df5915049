"""ASVS chapters 6, 7, 9 and 16 on the staff sign-in, attacked through the real app: password
fields, passwords as typed, codes outside their time step, forged cookies, the size of session
tokens, and the audit trail of every sign-in event."""

from __future__ import annotations

import contextlib
import hashlib
import re
import sqlite3
import time
from html.parser import HTMLParser
from pathlib import Path

import pyotp
from itsdangerous import URLSafeTimedSerializer
from peewee import fn

from portal.core.models import AuditEvent, RecoveryCode, StaffSession, User
from portal.staff.security import passwords, recovery_codes, totp
from tests.conftest import admin_creates_user, csrf_from, sign_in
from tests.servers import instance_env, portal_command

SESSION_COOKIE = "madoguchi-staff"
STATIC_JS = Path(__file__).resolve().parent.parent / "portal" / "static" / "js"
PASTE_BLOCKERS = ("onpaste", "oncopy", "oncut", "ondrop", "oncontextmenu")
CLIPBOARD_LISTENER = re.compile(r"""addEventListener\(\s*["'](paste|copy|cut|drop|contextmenu)["']""")


class Inputs(HTMLParser):
    """Every <input> of a page, as a dict of its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            self.found.append(dict(attrs))


def password_inputs(html: str) -> list[dict[str, str | None]]:
    """The inputs a person types a password into, whatever type the page gave them."""
    return [i for i in Inputs(html).found if "password" in (i.get("name") or "")]


def assert_masked_and_pasteable(html: str) -> None:
    """Masked (type=password), and nothing that stops pasting or a password manager filling it."""
    for field in password_inputs(html):
        assert field.get("type") == "password", field
        assert field.get("autocomplete") in ("current-password", "new-password"), field
        assert not set(field) & set(PASTE_BLOCKERS), field
    assert not any(blocker in html.lower() for blocker in PASTE_BLOCKERS)


def post_password(client, email: str, password: str, address: str = "127.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=environ)
    data = {"csrf_token": csrf_from(page.text), "email": email, "password": password}
    return client.post("/login", data=data, environ_base=environ)


def post_code(client, code: str):
    page = client.get("/login/code")
    return client.post("/login/code", data={"csrf_token": csrf_from(page.text), "code": code})


def test_password_inputs_are_masked_and_paste_and_password_managers_work(staff_app, signed_in):
    """V6.2.6, V6.2.7: the sign-in, enrolment and change pages, the pages that take a password."""
    created = admin_creates_user(
        signed_in("admin"), "new@example.jp", "operator", "株式会社サンプル窓口サービス"
    )
    first_password = re.search(r'<code class="secret">([^<]+)</code>', created.text).group(1)
    enrolling = staff_app.test_client()
    pages = {"login": enrolling.get("/login").text}
    assert post_password(enrolling, "new@example.jp", first_password).headers["Location"] == "/login/enrol"
    pages["enrol"] = enrolling.get("/login/enrol").text
    pages["change"] = signed_in("city").get("/account/password").text
    assert {name: [i["name"] for i in password_inputs(html)] for name, html in pages.items()} == {
        "login": ["password"],
        "enrol": ["new_password"],
        "change": ["current_password", "new_password", "confirm_password"],
    }
    for html in pages.values():
        assert_masked_and_pasteable(html)
    for script in STATIC_JS.glob("*.js"):
        assert not CLIPBOARD_LISTENER.search(script.read_text(encoding="utf-8")), script.name


def test_a_password_is_checked_exactly_as_typed(staff_app, accounts):
    """V6.2.8: no case folding, no truncation, no trimming; only NFKC width folding (documented)."""
    account = accounts["city"]
    typed = account.password  # "correct horse battery staple 窓口"
    variants = {
        "case changed": typed.upper(),
        "first letter capitalised": typed[0].upper() + typed[1:],
        "cut to 8 characters": typed[:8],
        "cut to 16 characters": typed[:16],
        "last character dropped": typed[:-1],
        "a character added": typed + "!",
        "spaces trimmed": typed.replace(" ", ""),
    }
    for number, (why, password) in enumerate(variants.items(), start=2):
        # Each from its own address, so the throttle's free allowance does not end the test early.
        refused = post_password(staff_app.test_client(), account.email, password, f"127.0.0.{number}")
        assert refused.status_code == 200 and "正しくありません" in refused.text, why
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalpha() else c for c in typed)
    assert post_password(staff_app.test_client(), account.email, full_width).status_code == 303
    assert post_password(staff_app.test_client(), account.email, typed).status_code == 303


def test_init_makes_no_account_and_demo_passwords_differ_per_instance(tmp_path):
    """V6.3.2 and C26: no default account; each instance's demo accounts get their own passwords."""
    seeded = []
    for name in ("first", "second"):
        env = instance_env(tmp_path / name)
        assert portal_command("init", env=env).returncode == 0
        with contextlib.closing(sqlite3.connect(tmp_path / name / "portal.db")) as db:
            assert db.execute('SELECT count(*) FROM "user"').fetchone() == (0,)
        assert portal_command("demo-seed", env=env).returncode == 0
        lines = (tmp_path / name / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()
        seeded.append({line.split("\t")[1]: line.split("\t")[2] for line in lines})
    first, second = seeded
    assert first.keys() == second.keys() and len(first) == 4
    assert not set(first.values()) & set(second.values())
    assert len(set(first.values())) == 4
    for password in first.values():
        assert passwords.policy_problem(password) is None


def test_a_code_outside_one_step_of_drift_is_refused(staff_app, accounts):
    """V6.5.5: a code lives for its 30-second step, and one step either side for clock drift."""
    offsets = {"city": -2, "consultant": 2, "operator": -1, "admin": 1}
    clients = {role: staff_app.test_client() for role in offsets}
    for role, client in clients.items():
        post_password(client, accounts[role].email, accounts[role].password)
    step = int(totp.now() // totp.STEP_SECONDS)  # the clock this instance checks codes against
    for role, offset in offsets.items():
        code = pyotp.TOTP(accounts[role].totp_secret).at((step + offset) * totp.STEP_SECONDS)
        response = post_code(clients[role], code)
        if abs(offset) == 1:
            assert response.status_code == 303 and clients[role].get("/").status_code == 200, offset
        else:
            assert response.status_code == 200 and "正しくない" in response.text, offset
            assert clients[role].get("/").status_code == 404, offset


def session_token(app, client) -> str:
    """The token inside the signed cookie (the test holds the instance's key)."""
    cookie = client.get_cookie(SESSION_COOKIE).value
    return app.session_interface.get_signing_serializer(app).loads(cookie)["_user_id"]


def test_session_tokens_are_256_random_bits_kept_only_as_hashes(staff_app, accounts, database_url):
    """V7.2.3, V11.5.1: 43 URL-safe characters from `secrets` (256 bits), only their SHA-256 stored."""
    tokens = []
    for account in [*accounts.values(), accounts["city"]]:
        client = staff_app.test_client()
        assert sign_in(client, account).status_code == 303
        tokens.append(session_token(staff_app, client))
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert len(token) == 43 and set(token) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
    with staff_app.app_context():
        rows = list(StaffSession.select())
        dump = repr([row.__data__ for row in rows])
    assert {row.token_hash for row in rows} == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
    assert not any(token in dump for token in tokens)
    if database_url.startswith("sqlite"):
        files = Path(database_url.removeprefix("sqlite:///")).parent.glob("portal.db*")
        raw = b"".join(path.read_bytes() for path in files)
        assert not any(token.encode() in raw for token in tokens)


def forged_cookie(app, payload: dict, secret: str) -> str:
    """A session cookie signed as the instance signs its own, but under `secret`."""
    interface = app.session_interface
    return URLSafeTimedSerializer(
        secret,
        salt=interface.salt,
        serializer=interface.serializer,
        signer_kwargs={"key_derivation": interface.key_derivation, "digest_method": interface.digest_method},
    ).dumps(payload)


def test_a_forged_or_altered_session_cookie_is_ignored(staff_app, accounts, signed_in):
    """V9.1.1: the cookie's signature is checked before anything in it is believed."""
    real_key = staff_app.config["SECRET_KEY"]
    client = signed_in("city")
    token = session_token(staff_app, client)
    cookie = client.get_cookie(SESSION_COOKIE).value

    def opens(value: str, path: str = "/") -> int:
        visitor = staff_app.test_client()
        visitor.set_cookie(SESSION_COOKIE, value)
        return visitor.get(path).status_code

    assert (
        opens(cookie) == 200 and opens(forged_cookie(staff_app, {"_user_id": token}, real_key)) == 200
    )  # the control
    payload, stamp, signature = cookie.rsplit(".", 2)
    # The first character: the last one's low bits are base64 padding, which decoding ignores.
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert opens(f"{payload}.{stamp}.{flipped}") == 404
    assert opens(forged_cookie(staff_app, {"_user_id": token}, "another instance's key")) == 404
    assert opens(forged_cookie(staff_app, {"_user_id": token}, real_key)[:-2]) == 404
    # A pending sign-in forged under another key does not skip the password.
    pending = {"pending_sign_in": {"user": accounts["admin"].id, "at": int(time.time()), "next": ""}}
    assert opens(forged_cookie(staff_app, pending, real_key), "/login/code") == 200  # the control
    forged = staff_app.test_client()
    forged.set_cookie(SESSION_COOKIE, forged_cookie(staff_app, pending, "another instance's key"))
    skipped = forged.get("/login/code")
    assert skipped.status_code == 303 and skipped.headers["Location"] == "/login"


def events_since(app, seq: int) -> list[AuditEvent]:
    with app.app_context():
        return list(AuditEvent.select().where(AuditEvent.seq > seq).order_by(AuditEvent.seq))


def last_seq(app) -> int:
    with app.app_context():
        return AuditEvent.select(fn.MAX(AuditEvent.seq)).scalar() or 0


def test_wrong_codes_recovery_codes_and_sign_out_are_audit_events(staff_app, accounts):
    """V16.3.1: who, what, from where, when and the outcome of each step of a sign-in and sign-out."""
    account = accounts["consultant"]
    made = recovery_codes.new_codes()
    recovery = made.shown[0]
    with staff_app.app_context():
        recovery_codes.replace(
            User.get_by_id(account.id), recovery_codes.NewCodes([recovery], made.hashes[:1])
        )
    client = staff_app.test_client()
    start = last_seq(staff_app)
    address = "127.0.0.9"
    post_password(client, account.email, account.password, address)
    page = client.get("/login/code")
    for code in ("000000", recovery):
        client.post(
            "/login/code",
            data={"csrf_token": csrf_from(page.text), "code": code},
            environ_base={"REMOTE_ADDR": address},
        )
    assert client.get("/").status_code == 200
    token = csrf_from(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    events = [
        (e.action, e.outcome, e.actor_id, e.object_id, e.client)
        for e in events_since(staff_app, start)
        if e.action.startswith(("signin", "signout"))
    ]
    me = str(account.id)
    assert events == [
        ("signin.password", "ok", account.id, me, address),
        ("signin.code-failure", "refused", account.id, None, address),
        ("signin.recovery-code", "ok", account.id, me, address),
        ("signin.success", "ok", account.id, me, address),
        ("signout", "ok", account.id, me, "127.0.0.1"),
    ]
    with staff_app.app_context():
        assert not RecoveryCode.select().where(RecoveryCode.user == account.id).exists()
