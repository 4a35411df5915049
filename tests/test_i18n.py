"""Japanese by default whatever the browser asks, English by choice, dates as read in Japan."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_japanese_by_default_even_when_the_browser_asks_for_english(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="ja">' in page.text and "ログイン" in page.text


def test_the_switch_changes_to_english_and_back(client):
    switch = client.get("/language/en?next=/login")
    assert switch.status_code == 303 and switch.headers["Location"] == "/login"
    page = client.get("/login")
    assert '<html lang="en">' in page.text and "Sign in" in page.text and "Email address" in page.text
    assert 'href="/language/ja?next=/login"' in page.text
    client.get("/language/ja?next=/login")
    assert '<html lang="ja">' in client.get("/login").text


def test_the_switch_refuses_off_site_targets(client):
    assert client.get("/language/en?next=https://evil.example/").headers["Location"] == "/login"


def test_dates_read_as_in_japan(staff_app):
    from portal.core.i18n import long_date

    with staff_app.test_request_context():
        assert long_date(date(2020, 6, 15)) == "2020年6月15日(月)"
    with staff_app.test_request_context(headers={"Cookie": "lang=en"}):
        assert long_date(date(2020, 6, 15)) == "Mon 15 Jun 2020"


def test_every_message_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [Path(sys.executable).parent / "pybabel", "extract", "-F", "babel.cfg", "-k", "_l", "-o", pot, "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "portal/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle) if m.id}
    missing = sorted(m for m in wanted if not catalog.get(m))
    assert missing == []
