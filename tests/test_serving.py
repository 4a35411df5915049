"""Both instances served by waitress, as `make run` serves them, probed over real HTTP."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

from tests.servers import instance_env, portal_command, public_env, waitress


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A fresh instance with demo data, its staff and public servers running."""
    instance = tmp_path_factory.mktemp("served") / "instance"
    env = instance_env(instance)
    assert portal_command("init", env=env).returncode == 0
    assert portal_command("demo-seed", env=env).returncode == 0
    with waitress("staff", env) as staff, waitress("public", public_env(instance)) as public:
        yield {"staff": staff, "public": public}


def fetch(base: str, method: str, path: str, headers: dict | None = None):
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST"])
@pytest.mark.parametrize("path", ["/admin/users/1", "/admin/users/99999", "/", "/admin/users/1/"])
def test_anonymous_staff_requests_over_http_get_an_identical_404(served, method, path):
    response, body = fetch(served["staff"], method, path, {"Range": "bytes=0-5"})
    _, reference_body = fetch(served["staff"], method, "/unknown")
    assert response.status == 404
    assert response.getheader("X-Robots-Tag") == "noindex, nofollow, noarchive"
    assert response.getheader("Cache-Control") == "no-store"
    assert body == reference_body
    if method == "HEAD":
        assert body == b""
    assert response.getheader("Set-Cookie") is None


def test_the_sign_in_page_and_public_site_answer(served):
    response, body = fetch(served["staff"], "GET", "/login")
    assert response.status == 200 and "ログイン".encode() in body
    response, body = fetch(served["public"], "GET", "/")
    assert response.status == 200 and response.getheader("X-Robots-Tag") is None
    response, _ = fetch(served["public"], "GET", "/login")
    assert response.status == 404
