"""Two instances from one factory: what each one has, and what the public one must never have."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from portal import create_app
from portal.core.settings import ConfigError, load_settings

# Of our modules, the public instance may load `portal` (create_app) and these packages,
# nothing else: a new staff module needs no edit here.
PUBLIC_PACKAGES = ("portal.core", "portal.public")
# Decryption and staff-only libraries, which nothing in core/ or public/ may pull in.
PUBLIC_MUST_NOT_IMPORT = ("storage_backends", "cryptography.hazmat.primitives.ciphers.aead", "flask_login")


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def public_may_import(module: str) -> bool:
    return module == "portal" or any(in_package(module, package) for package in PUBLIC_PACKAGES)


def test_the_public_instance_registers_no_staff_endpoint(staff_app, public_app):
    public = {rule.endpoint for rule in public_app.url_map.iter_rules()}
    staff = {rule.endpoint for rule in staff_app.url_map.iter_rules()}
    shared = {"static", "site.healthz", "site.robots", "site.favicon", "site.htmx", "site.set_language"}
    assert public & staff == shared
    assert all(endpoint.split(".")[0] in ("static", "site", "public") for endpoint in public)


def test_building_the_public_instance_imports_no_staff_or_decryption_code(config, tmp_path):
    script = (
        "import json, sys\n"
        "from portal import create_app\n"
        f"create_app('public', {{'INSTANCE_PATH': {str(config['INSTANCE_PATH'])!r},"
        f" 'PUBLIC_DATABASE_URL': 'sqlite:///{tmp_path}/p.db', 'KEY_DIR': '/nonexistent',"
        f" 'SEAL_PUBLIC_KEY': {str(config['INSTANCE_PATH'] / 'public' / 'seal.pub')!r}}})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = json.loads(result.stdout)
    ours = [m for m in loaded if in_package(m, "portal")]
    assert [m for m in ours if not public_may_import(m)] == []
    assert [m for m in ours if in_package(m, "portal.staff") or in_package(m, "portal.demo")] == []
    assert [m for m in loaded if m.startswith(PUBLIC_MUST_NOT_IMPORT)] == []
    assert "portal.public" in loaded, "the check must see the public instance's own modules"


def test_the_public_instance_holds_no_key_that_opens_personal_data(public_app):
    assert "portal.secret_box" not in public_app.extensions
    assert public_app.config["PORTAL"].storage == {}


def test_the_staff_instance_refuses_to_start_without_its_key(config, tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_KEY_DIR"):
        create_app("staff", {**config, "KEY_DIR": tmp_path / "empty"})
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "field.key").write_bytes(b"short")
    with pytest.raises(ConfigError, match="32 bytes"):
        create_app("staff", {**config, "KEY_DIR": bad})


def test_importing_wsgi_builds_nothing(tmp_path):
    env = {"PORTAL_INSTANCE_PATH": str(tmp_path / "nothing-here"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", "import wsgi"], env=env, check=True, cwd=str(tmp_path.parent))
    assert not (tmp_path / "nothing-here").exists()


def test_zone_must_be_known():
    with pytest.raises(ConfigError, match="zone"):
        load_settings("intranet")


def test_environment_wins_over_portal_toml(tmp_path, monkeypatch):
    (tmp_path / "portal.toml").write_text('trusted_proxies = 2\nstaff_networks = "10.1.0.0/16"\n')
    monkeypatch.setenv("PORTAL_TRUSTED_PROXIES", "1")
    settings = load_settings("staff", {"INSTANCE_PATH": tmp_path})
    assert settings.trusted_proxies == 1
    assert [str(n) for n in settings.staff_networks] == ["10.1.0.0/16"]


def test_unknown_settings_are_refused(tmp_path):
    (tmp_path / "portal.toml").write_text("stafff_networks = '10.0.0.0/8'\n")
    with pytest.raises(ConfigError, match="stafff_networks"):
        load_settings("staff", {"INSTANCE_PATH": tmp_path})
    with pytest.raises(ConfigError, match="unknown settings"):
        load_settings("staff", {"INSTANCE_PATH": tmp_path / "x", "BOGUS": 1})


def test_a_short_secret_key_is_refused(config):
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        create_app("staff", {**config, "SECRET_KEY": "short"})


def test_each_instance_has_its_own_cookie_and_secret(staff_app, public_app):
    assert staff_app.config["SESSION_COOKIE_NAME"] != public_app.config["SESSION_COOKIE_NAME"]
    assert staff_app.config["SECRET_KEY"] != public_app.config["SECRET_KEY"]


def test_public_pages_are_indexable_set_no_cookie_and_carry_the_common_headers(public_app):
    client = public_app.test_client()
    response = client.get("/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "X-Robots-Tag" not in response.headers and "no-store" not in response.headers.get(
        "Cache-Control", ""
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert (
        client.get("/robots.txt").text
        == "User-agent: *\nAllow: /\nSitemap: http://127.0.0.1:8000/sitemap.xml\n"
    )
    assert client.get("/login").status_code == 404
    assert client.post("/").status_code == 400, "state changes need a form token on the public side too"


def test_a_staff_cookie_opens_nothing_on_the_public_instance(public_app, signed_in):
    staff_client = signed_in("city")
    cookie = staff_client.get_cookie("madoguchi-staff")
    client = public_app.test_client()
    client.set_cookie("madoguchi-staff", cookie.value)
    assert client.get("/admin/users").status_code == 404
    assert client.get("/").status_code == 200
