"""Both instances behind a proxy, over real HTTP to `portal serve`: only the trusted proxy's peer
address may name the client and the scheme, and then the client is judged, counted and throttled
as itself (C19, C20, C25, F47). On loopback the proxy connects from 127.0.0.2; anyone else from
127.0.0.1 or 127.0.0.3."""

from __future__ import annotations

import http.client
import re
from datetime import date, timedelta

import pytest

from tests.conftest import csrf_from
from tests.http_browser import Browser
from tests.servers import BIN, instance_env, portal_command, portal_serve, public_env, running

PROXY = "127.0.0.2"
STRANGER = "127.0.0.3"  # neither the proxy nor on the staff network
SETTINGS = {
    "PORTAL_TRUSTED_PROXIES": "1",
    "PORTAL_PROXY_ADDRESS": PROXY,
    "PORTAL_STAFF_NETWORKS": "192.0.2.0/24,127.0.0.1/32",
    "PORTAL_BOOKING_RATE_LIMIT": "2 per minute",
}
HSTS = "Strict-Transport-Security"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Demo data, a city account, and both instances trusting one proxy hop from PROXY."""
    instance = tmp_path_factory.mktemp("behind-proxy") / "instance"
    env = instance_env(instance, **SETTINGS)
    assert portal_command("init", env=env).returncode == 0
    assert portal_command("demo-seed", env=env).returncode == 0
    city = next(
        line.split("\t")
        for line in (instance / "demo-accounts.txt").read_text().splitlines()
        if line.startswith("city\t")
    )
    with (
        portal_serve("staff", env) as staff,
        portal_serve("public", public_env(instance, **SETTINGS)) as public,
    ):
        yield {"staff": staff, "public": public, "email": city[1], "password": city[2], "env": env}


def set_cookie(response: http.client.HTTPResponse) -> str:
    return "\n".join(response.headers.get_all("Set-Cookie") or [])


def test_hsts_and_secure_cookies_only_when_the_trusted_proxy_says_https(served):
    through_proxy = Browser(served["staff"], PROXY, for_="192.0.2.10", proto="https")
    response, _ = through_proxy.request("GET", "/login")
    assert response.status == 200
    assert response.getheader(HSTS) == "max-age=63072000; includeSubDomains", "two years, subdomains"
    cookie = set_cookie(response)
    assert cookie.startswith("__Host-madoguchi-staff=") and "Secure" in cookie

    claimed = Browser(served["staff"], "127.0.0.1", for_="192.0.2.10", proto="https")
    response, _ = claimed.request("GET", "/login")
    assert response.status == 200 and response.getheader(HSTS) is None
    cookie = set_cookie(response)
    assert cookie.startswith("madoguchi-staff=") and "Secure" not in cookie

    for peer, secure in ((PROXY, True), ("127.0.0.1", False)):
        visitor = Browser(served["public"], peer, for_="198.51.100.7", proto="https")
        response, _ = visitor.request("GET", "/language/en?next=/")
        assert (response.getheader(HSTS) is not None) is secure
        assert ("Secure" in set_cookie(response)) is secure


def login_status(base: str, peer: str, forwarded_for: str | None) -> int:
    forwarded = {"for_": forwarded_for} if forwarded_for else {}
    return Browser(base, peer, **forwarded).request("GET", "/login")[0].status


def test_the_staff_network_allow_list_judges_the_forwarded_client(served):
    def status(peer: str, forwarded_for: str | None) -> int:
        return login_status(served["staff"], peer, forwarded_for)

    assert status(PROXY, "192.0.2.10") == 200
    assert status(PROXY, "203.0.113.9") == 404
    assert status(PROXY, "192.0.2.10, 203.0.113.9") == 404, "only the hop the proxy added is believed"
    assert status(PROXY, None) == 404, "the proxy's own address is not on the staff network"
    assert status(STRANGER, "192.0.2.10") == 404, "anyone else's forwarded header is ignored"
    assert status("127.0.0.1", "203.0.113.9") == 200, "a direct client is judged by its own address"


def test_waitress_serve_given_the_documented_options_trusts_the_same_proxy(served):
    command = [
        str(BIN / "waitress-serve"),
        "--listen=127.0.0.1:{port}",
        f"--trusted-proxy={PROXY}",
        "--trusted-proxy-count=1",
        "--trusted-proxy-headers=x-forwarded-for x-forwarded-host x-forwarded-proto",
        "--call",
        "wsgi:staff",
    ]
    with running(command, served["env"]) as staff:
        assert login_status(staff, PROXY, "192.0.2.10") == 200
        assert login_status(staff, PROXY, "203.0.113.9") == 404
        assert login_status(staff, STRANGER, "192.0.2.10") == 404


def open_session_path(base: str) -> str:
    """A bookable session of the demo's current season, from the public calendar."""
    visitor = Browser(base, "127.0.0.1")
    for month in (date.today(), date.today().replace(day=1) + timedelta(days=32)):
        _, page = visitor.request("GET", f"/calendar?month={month:%Y-%m}")
        found = re.search(r'href="(/sessions/\d+)"', page)
        if found:
            return found.group(1)
    raise AssertionError("the demo season has no open session this month or next")


def booking_attempts(visitor: Browser, path: str, count: int) -> list[int]:
    """Post the booking form `count` times without consent: each is counted, nothing is booked."""
    _, page = visitor.request("GET", path)
    form = {"csrf_token": csrf_from(page), "business_name": "架空商店", "contact_name": "山田 花子"}
    return [visitor.request("POST", path, form)[0].status for _ in range(count)]


def test_the_booking_rate_limit_counts_each_forwarded_client(served):
    path = open_session_path(served["public"])
    first, second = (Browser(served["public"], PROXY, for_=f"198.51.100.{n}") for n in (21, 22))
    assert booking_attempts(first, path, 3) == [200, 200, 429]
    assert booking_attempts(second, path, 1) == [200], "another client behind the same proxy"
    # Forwarded headers from anyone but the proxy are stripped: every post counts against 127.0.0.1.
    statuses = [
        booking_attempts(Browser(served["public"], "127.0.0.1", for_=f"198.51.100.{n}"), path, 1)[0]
        for n in (31, 32, 33)
    ]
    assert statuses == [200, 200, 429]


def sign_in_attempts(browser: Browser, email: str, passwords: list[str]) -> list[str]:
    """What the sign-in form says to each password: wrong, throttled or signed in (a redirect)."""
    outcomes = []
    for password in passwords:
        _, page = browser.request("GET", "/login")
        response, page = browser.request(
            "POST", "/login", {"csrf_token": csrf_from(page), "email": email, "password": password}
        )
        if response.status == 303:
            outcomes.append("signed in")
        elif "試行回数が多すぎます" in page:
            outcomes.append("throttled")
        else:
            assert "正しくありません" in page
            outcomes.append("wrong")
    return outcomes


def test_sign_in_throttles_count_each_forwarded_client(served):
    email, right, wrong = served["email"], served["password"], "not the password 窓口"
    attacker = Browser(served["staff"], PROXY, for_="192.0.2.41")
    assert sign_in_attempts(attacker, email, [wrong] * 5 + [right]) == ["wrong"] * 5 + ["throttled"]
    colleague = Browser(served["staff"], PROXY, for_="192.0.2.42")
    assert sign_in_attempts(colleague, email, [right]) == ["signed in"], "the real user elsewhere signs in"
    # A direct client cannot pose as many: its forwarded headers are stripped, its attempts add up.
    outcomes = [
        sign_in_attempts(Browser(served["staff"], "127.0.0.1", for_=f"192.0.2.{50 + n}"), email, [wrong])[0]
        for n in range(6)
    ]
    assert outcomes == ["wrong"] * 5 + ["throttled"]
