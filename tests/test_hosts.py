"""Host names: each instance answers only to its own, and its absolute links never come from the
request's Host header (a poisoned Host would otherwise end up in the sitemap, robots.txt or a mail)."""

from __future__ import annotations

import pytest

from portal import create_app
from portal.core.headers import CONTENT_SECURITY_POLICY
from portal.core.models import Venue
from portal.core.settings import ConfigError, load_settings
from tests.conftest import public_config

PUBLIC_URL = "https://yoyaku.example.jp"
STAFF_URL = "https://madoguchi.example.jp"


@pytest.fixture
def apps(config, monkeypatch):
    """Both instances published under their own names, without the test client's `localhost`."""
    monkeypatch.delenv("PORTAL_EXTRA_HOSTS")
    urls = {"PUBLIC_URL": PUBLIC_URL, "STAFF_URL": STAFF_URL, "TESTING": True}
    return {
        "public": create_app("public", {**public_config(config), **urls}),
        "staff": create_app("staff", {**config, **urls}),
    }


@pytest.mark.parametrize("zone,own", [("public", "yoyaku.example.jp"), ("staff", "madoguchi.example.jp")])
@pytest.mark.parametrize("path", ["/", "/robots.txt", "/healthz", "/login", "/sitemap.xml", "/nothing-here"])
def test_a_foreign_host_is_refused_with_the_security_headers(apps, zone, own, path):
    client = apps[zone].test_client()
    for host in ("evil.example", "yoyaku.example.jp.evil.example", "localhost", "127.0.0.1"):
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 400, host
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow, noarchive"
        assert response.headers["Cache-Control"] == "no-store"
        assert host not in response.text and "Set-Cookie" not in response.headers
    assert client.get("/healthz", headers={"Host": own}).status_code == 200
    assert client.get("/healthz", headers={"Host": f"{own}:8443"}).status_code == 200, "any port"
    other = "madoguchi.example.jp" if zone == "public" else "yoyaku.example.jp"
    assert client.get("/healthz", headers={"Host": other}).status_code == 400, "not the other zone's name"


def test_a_foreign_host_never_reaches_the_staff_gate_or_a_form(apps):
    client = apps["staff"].test_client()
    response = client.post("/login", headers={"Host": "evil.example"}, data={"email": "a@example.jp"})
    assert response.status_code == 400 and "csrf" not in response.text.lower()


def test_extra_hosts_are_answered_but_links_name_the_published_address(config, monkeypatch):
    monkeypatch.setenv("PORTAL_EXTRA_HOSTS", "mirror.example.net,.example.org")
    app = create_app("public", {**public_config(config), "PUBLIC_URL": PUBLIC_URL, "TESTING": True})
    with app.app_context():
        venue = Venue.create(name="架空区役所", ward="架空区", address="架空市1-1")
    client = app.test_client()
    for host in ("mirror.example.net", "www.example.org", "a.b.example.org"):
        sitemap = client.get("/sitemap.xml", headers={"Host": host})
        assert sitemap.status_code == 200
        locations = sitemap.text.split("<loc>")[1:]
        # the front page, the calendar, the venue list, the privacy notice and the one venue
        assert len(locations) == 5 and all(loc.startswith(f"{PUBLIC_URL}/") for loc in locations)
        assert f"{PUBLIC_URL}/venues/{venue.id}</loc>" in sitemap.text and host not in sitemap.text
        robots = client.get("/robots.txt", headers={"Host": host}, base_url=f"https://{host}")
        assert robots.text.endswith(f"Sitemap: {PUBLIC_URL}/sitemap.xml\n")
    assert client.get("/", headers={"Host": "example.org.evil.example"}).status_code == 400


@pytest.mark.parametrize(
    "name,value",
    [
        ("EXTRA_HOSTS", "https://mirror.example.jp"),
        ("EXTRA_HOSTS", "mirror.example.jp:8000"),
        ("EXTRA_HOSTS", "[::1]"),
        ("EXTRA_HOSTS", "*"),
        ("PUBLIC_URL", "http://[::1]:8000"),
        ("PROXY_ADDRESS", "proxy.example.jp"),
        ("PROXY_ADDRESS", "10.0.0.0/8"),
    ],
)
def test_host_and_proxy_settings_are_checked(tmp_path, name, value):
    with pytest.raises(ConfigError, match=f"PORTAL_{name}"):
        load_settings("public", {"INSTANCE_PATH": tmp_path, name: value})


def test_host_settings_are_normalised(tmp_path):
    settings = load_settings(
        "staff",
        {
            "INSTANCE_PATH": tmp_path,
            "STAFF_URL": "https://窓口.example.jp/",
            "EXTRA_HOSTS": " A.Example.JP, .例え.jp",
        },
    )
    assert settings.trusted_hosts == ("窓口.example.jp", "a.example.jp", ".xn--r8jz45g.jp")
