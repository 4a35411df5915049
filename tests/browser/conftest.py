"""Playwright driving Debian's chromium against instances served by waitress."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, urljoin, urlsplit

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from portal import create_app
from tests.conftest import Account
from tests.servers import instance_env, portal_command, public_env, waitress

PASSWORD = "ブラウザで入力する長い合言葉 2026"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def new_page(browser):
    """Pages in fresh browser contexts (no cookies: one per person in the story; keyword arguments
    go to the context, such as a viewport), failing the test
    on any CSP violation, script error or missing asset; a page that answers 404 on purpose is the
    test's own business."""
    contexts = []
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    def _new_page(**options):
        context = browser.new_context(locale="en-US", **options)
        contexts.append(context)
        page = context.new_page()
        page.on("console", on_console)
        page.on("response", on_response)
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    yield _new_page
    for context in contexts:
        context.close()
    assert problems == []


@pytest.fixture
def page(new_page):
    """One person's browser."""
    return new_page()


def assert_accessible(page) -> None:
    """axe-core finds no violation on the page as it is now."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def follow(link) -> None:
    """Click a link and wait until the page it leads to has loaded: a check run straight after the
    click would otherwise meet the old page being torn down (axe-core then finds no document)."""
    page = link.page
    target = urljoin(page.url, link.get_attribute("href"))
    link.click()
    page.wait_for_url(target)


def new_instance(tmp_path_factory, name: str) -> tuple[Path, dict]:
    """A fresh instance folder (keys, database) made by `portal init`, and the environment for it."""
    instance = tmp_path_factory.mktemp(name) / "instance"
    env = instance_env(instance)
    initialised = portal_command("init", env=env)
    assert initialised.returncode == 0, initialised.stderr
    return instance, env


def create_account(env: dict, email: str, role: str, organisation: str) -> Account:
    """An enrolled account made with `portal user create`, as an administrator makes one."""
    created = portal_command(
        "user", "create", email, "--role", role, "--org", organisation, env=env, input=PASSWORD + "\n"
    )
    assert created.returncode == 0, created.stderr
    secret = parse_qs(urlsplit(created.stdout.strip()).query)["secret"][0]
    return Account(0, email, role, PASSWORD, secret)


def staff_models(instance: Path):
    """A staff app on the instance, for setting up and inspecting rows through the models."""
    return create_app("staff", {"INSTANCE_PATH": instance})


def serve_staff(env: dict):
    """The staff instance on the instance's database and keys; yields its base URL."""
    return waitress("staff", {**env, "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "")})


def serve_public(instance: Path, **settings: str):
    """The public instance, given only its own store and the sealing public key (and `settings`,
    non-secret PORTAL_* values)."""
    extra = {f"PORTAL_{name.upper()}": value for name, value in settings.items()}
    return waitress("public", public_env(instance, **extra))


def fill_booking_form(page, business: str, contact: str, phone: str, programme: str) -> None:
    """On a session's public page: what the visitor gives, one programme and their consent."""
    page.get_by_label("事業者名（屋号）").fill(business)
    page.get_by_label("ご担当者名").fill(contact)
    page.get_by_label("電話番号").fill(phone)
    page.get_by_label(programme).check()
    page.get_by_label("個人情報の取扱いに同意します").check()


_last_step: dict[str, int] = {}


def live_code(account: Account) -> str:
    """A code a server in another process, on the real clock, has not seen yet.

    A code works once and the server allows one step of drift, so the current step and the next
    are usable; an account that has used both waits for the next step (sessions are shared to
    spare that wait, see SignedIn).
    """
    while True:
        now_step = int(time.time() // 30)
        step = max(now_step, _last_step.get(account.totp_secret, 0) + 1)
        if step <= now_step + 1:
            break
        time.sleep(1)
    _last_step[account.totp_secret] = step
    return pyotp.TOTP(account.totp_secret).at(step * 30)


class SignInLabels(NamedTuple):
    email: str
    password: str
    next: str
    code: str
    sign_in: str
    sign_out: str
    agree: str
    accept: str


SIGN_IN_LABELS = {
    "ja": SignInLabels(
        "メールアドレス",
        "パスワード",
        "次へ",
        "確認コード",
        "ログイン",
        "ログアウト",
        "上記の誓約書の内容を読み、これを守ることに同意します",
        "同意して業務を始める",
    ),
    "en": SignInLabels(
        "Email address",
        "Password",
        "Next",
        "Verification code",
        "Sign in",
        "Sign out",
        "I have read the pledge above and agree to keep it",
        "Accept and start work",
    ),
}


def type_sign_in(page, account: Account, language: str = "ja") -> None:
    """On the sign-in page: the password, then the second factor, with the keyboard alone, and the
    confidentiality pledge at an account's first sign-in; every field and button named in `language`."""
    labels = SIGN_IN_LABELS[language]
    expect(page.get_by_label(labels.email)).to_be_focused()
    page.keyboard.type(account.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label(labels.password)).to_be_focused()
    page.keyboard.type(account.password)
    expect(page.get_by_role("button", name=labels.next)).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_label(labels.code)).to_be_focused()
    page.keyboard.type(live_code(account))
    expect(page.get_by_role("button", name=labels.sign_in)).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=labels.sign_out)).to_be_visible()
    if "/pledge" in page.url:
        page.get_by_label(labels.agree).check()
        page.get_by_role("button", name=labels.accept).click()
        expect(page).not_to_have_url(re.compile(r"/pledge"))


class SignedIn:
    """Staff sessions shared by a module's tests: an account types its password and code once and
    later tests reuse its cookie (a code works once, and only two are valid at any time)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._cookies: dict[str, list] = {}

    def sign_in(self, page, account: Account) -> None:
        """Sign in on the page's sign-in form; later tests reuse this session."""
        type_sign_in(page, account)
        self._cookies[account.email] = page.context.cookies()

    def open(self, page, account: Account, path: str) -> None:
        """Open `path` as `account`, signing in first if no test has yet."""
        if account.email in self._cookies:
            page.context.add_cookies(self._cookies[account.email])
        else:
            page.goto(f"{self.base}/login")
            self.sign_in(page, account)
        page.goto(f"{self.base}{path}")


@pytest.fixture(scope="module")
def live_staff(tmp_path_factory):
    """A staff instance with one city account; yields its base URL and the account."""
    _, env = new_instance(tmp_path_factory, "browser")
    account = create_account(env, "browser@example.jp", "city", "架空市 産業観光局")
    with serve_staff(env) as base:
        yield base, account
