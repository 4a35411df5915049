"""A person signs in with a second factor in a real browser, in Japanese and in English."""

from __future__ import annotations

import pytest

from tests.conftest import next_code


@pytest.mark.parametrize("language", ["ja", "en"])
def test_sign_in_with_second_factor_and_sign_out(page, live_staff, language):
    base, account = live_staff
    page.goto(f"{base}/login")
    assert page.locator("html").get_attribute("lang") == "ja", "Japanese whatever the browser asks"
    if language == "en":
        page.get_by_role("link", name="English").click()
        assert page.locator("html").get_attribute("lang") == "en"
    labels = {
        "ja": ("メールアドレス", "パスワード", "次へ", "確認コード", "ログイン", "ログアウト"),
        "en": ("Email address", "Password", "Next", "Verification code", "Sign in", "Sign out"),
    }[language]
    page.get_by_label(labels[0]).fill(account.email)
    page.get_by_label(labels[1]).fill(account.password)
    page.get_by_role("button", name=labels[2]).click()
    page.get_by_label(labels[3]).fill(next_code(account))
    page.get_by_role("button", name=labels[4]).click()
    page.wait_for_url(f"{base}/")
    assert account.email in page.locator("main").inner_text()
    assert page.locator("body").get_attribute("hx-history") == "false"
    page.get_by_role("button", name=labels[5]).click()
    page.wait_for_url(f"{base}/login")
    page.goto(f"{base}/")
    assert "404" in page.title() or page.locator("h1").inner_text() in (
        "ページが見つかりません",
        "Page not found",
    )


def test_htmx_loads_from_our_origin_under_the_csp(page, live_staff):
    base = live_staff[0]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{base}/login")
    assert page.evaluate("typeof htmx !== 'undefined' && htmx.version") == "2.0.3"
    assert page.evaluate("htmx.config.allowEval") is False
    assert all(url.startswith(base) for url in requests)
