"""Playwright driving Debian's chromium against instances served by waitress."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import Account, service_missing
from tests.servers import instance_env, portal_command, waitress

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "ブラウザで入力する長い合言葉 2026"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session."""
    if not CHROMIUM.exists():
        service_missing("chromium", FileNotFoundError(CHROMIUM))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no cookies) per test, failing on any CSP violation, script error
    or missing asset; a page that answers 404 on purpose is the test's own business."""
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def on_response(response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert problems == []


@pytest.fixture(scope="module")
def live_staff(tmp_path_factory):
    """A staff instance with one city account; yields its base URL and the account."""
    instance = tmp_path_factory.mktemp("browser") / "instance"
    env = instance_env(instance)
    assert portal_command("init", env=env).returncode == 0
    created = portal_command(
        "user",
        "create",
        "browser@example.jp",
        "--role",
        "city",
        "--org",
        "架空市 産業観光局",
        env=env,
        input=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    secret = parse_qs(urlsplit(created.stdout.strip()).query)["secret"][0]
    with waitress("staff", {**env, "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "")}) as base:
        yield base, Account(0, "browser@example.jp", "city", PASSWORD, secret)
