"""A person signs in with a second factor in a real browser, in Japanese and in English."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SIGN_IN_LABELS, type_sign_in


@pytest.mark.parametrize("language", ["ja", "en"])
def test_sign_in_with_second_factor_and_sign_out(page, live_staff, language):
    base, account = live_staff
    page.goto(f"{base}/login")
    assert page.locator("html").get_attribute("lang") == "ja", "Japanese whatever the browser asks"
    if language == "en":
        page.get_by_role("link", name="English").click()
        assert page.locator("html").get_attribute("lang") == "en"
    type_sign_in(page, account, language)
    page.wait_for_url(f"{base}/")
    assert account.email in page.locator("main").inner_text()
    assert page.locator("body").get_attribute("hx-history") == "false"
    page.get_by_role("button", name=SIGN_IN_LABELS[language].sign_out).click()
    page.wait_for_url(f"{base}/login")
    response = page.goto(f"{base}/")
    assert response.status == 404
    not_found = {"ja": "ページが見つかりません", "en": "Page not found"}[language]
    assert page.locator("h1").inner_text() == not_found


def test_htmx_loads_from_our_origin_under_the_csp(page, live_staff):
    base = live_staff[0]
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{base}/login")
    assert page.evaluate("typeof htmx !== 'undefined' && htmx.version") == "2.0.3"
    assert page.evaluate("htmx.config.allowEval") is False
    assert all(url.startswith(base) for url in requests)
