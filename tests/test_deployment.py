"""The reference deployment of deploy/, started on loopback: nginx from Debian in front with TLS,
two staff and two public processes under `portal serve`, PostgreSQL with the public zone's own
login role, the S3 server and a Redis of its own run with deploy/redis's ACL. What one process
does, the other sees at its next request; and the proxy's own answers carry the headers the
applications send on theirs."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg
import pyotp
import pytest

from portal import REQUEST_BODY_LIMIT, UPLOAD_CHUNK
from portal.core.headers import COMMON, PRIVATE
from portal.core.models.reservations import SEAT_HOLDING
from portal.staff.upload_limit import UPLOAD_ATTRIBUTE
from tests.conftest import (
    PASSWORD,
    POSTGRES_DSN,
    csrf_from,
    service_missing,
)
from tests.files import MULTIPART, multipart
from tests.http_browser import Browser
from tests.servers import BIN, free_port, instance_env, portal_command, public_env, running
from tests.tls import self_signed

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_PASSWORD = "public-zone-counters-0123456789"  # one word, as ACL files take it
PUBLIC_ROLE_PASSWORD = "a long password of the public zone's store"
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
STRANGER = "127.0.0.9"  # a loopback address outside the staff networks nginx is given


@dataclass
class Deployment:
    public: str  # the proxy's public site
    staff: str  # the proxy's staff site
    public_processes: list[str]
    staff_processes: list[str]
    tls: ssl.SSLContext
    env: dict  # the staff zone's environment, for `portal` commands
    public_store: str  # the public zone's PostgreSQL schema, as its owner reaches it


def wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port}")


def site_file(folder: Path, values: dict[str, str]) -> Path:
    """deploy/nginx/madoguchi.conf with its placeholders filled, as the README's install step does."""
    text = (DEPLOY / "nginx" / "madoguchi.conf").read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    assert "@" not in re.sub(r"#.*", "", text), "every placeholder is filled"
    path = folder / "madoguchi.conf"
    path.write_text(text)
    return path


def start_nginx(folder: Path, site: Path) -> subprocess.Popen:
    """nginx with a main file of the test's own around the deployment's site file."""
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / temp).mkdir()
    main = folder / "nginx.conf"
    main.write_text(
        "user root;\nworker_processes 1;\ndaemon off;\n"
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 512; }\n"
        "http {\n  access_log off;\n"
        + "".join(f"  {temp}_temp_path {folder / temp};\n" for temp in ("proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  client_body_temp_path {folder / 'body'};\n"
        f"  include {site};\n}}\n"
    )
    return subprocess.Popen([NGINX, "-e", str(folder / "error.log"), "-p", str(folder), "-c", str(main)])


def start_redis(folder: Path, port: int) -> subprocess.Popen:
    """A Redis of its own that knows only deploy/redis's users (the password filled in)."""
    acl = folder / "users.acl"
    acl.write_text(
        (DEPLOY / "redis" / "madoguchi.acl").read_text().replace("A-LONG-RANDOM-VALUE", REDIS_PASSWORD)
    )
    return subprocess.Popen(
        [
            REDIS,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--aclfile",
            str(acl),
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )


def own_schemas(name: str) -> tuple[str, str]:
    """Two new schemas for the deployment's stores, apart from those the other tests drop and remake."""
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
        for schema in (name, f"{name}_public"):
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"CREATE SCHEMA {schema}")
    return tuple(f"{POSTGRES_DSN}?options=-csearch_path%3D{schema}" for schema in (name, f"{name}_public"))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, s3_server):
    for program, what in ((NGINX, "nginx"), (REDIS, "redis-server")):
        if not Path(program).exists():
            service_missing(what, FileNotFoundError(program))
    folder = tmp_path_factory.mktemp("deployment")
    tls_files = self_signed(folder / "tls", "localhost", "127.0.0.1")
    public_port, staff_port, redis_port = free_port(), free_port(), free_port()
    public_url, staff_url = f"https://127.0.0.1:{public_port}", f"https://127.0.0.1:{staff_port}"
    role = f"madoguchi_deploy_{os.getpid()}"
    staff_store, public_store = own_schemas(role)
    settings = {
        "PORTAL_DATABASE_URL": staff_store,
        "PORTAL_PUBLIC_DATABASE_URL": public_store,
        **{f"PORTAL_{name}": value for name, value in s3_server.settings(f"deploy-{public_port}").items()},
        "PORTAL_PUBLIC_URL": public_url,
        "PORTAL_STAFF_URL": staff_url,
        "PORTAL_TRUSTED_PROXIES": "1",
        "PORTAL_PROXY_ADDRESS": "127.0.0.1",
        "PORTAL_BOOKING_RATE_LIMIT": "4 per minute",
    }
    instance = folder / "instance"
    env = instance_env(instance, **settings)
    assert portal_command("init", env=env).returncode == 0
    assert portal_command("demo-seed", env=env).returncode == 0
    made = portal_command("db", "public-role", role, env=env, input=PUBLIC_ROLE_PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    role_url = made.stdout.strip().splitlines()[-1]
    public_settings = {
        "PORTAL_PUBLIC_DATABASE_URL": role_url,
        "PORTAL_PUBLIC_URL": public_url,
        "PORTAL_TRUSTED_PROXIES": "1",
        "PORTAL_PROXY_ADDRESS": "127.0.0.1",
        "PORTAL_BOOKING_RATE_LIMIT": "4 per minute",
        "PORTAL_RATELIMIT_STORAGE": f"redis://madoguchi-public:{REDIS_PASSWORD}@127.0.0.1:{redis_port}/0",
    }
    serve = [str(BIN / "portal"), "serve"]
    redis = start_redis(folder, redis_port)
    nginx = None
    try:
        wait_for_port(redis_port, redis, "redis-server")
        with (
            running([*serve, "staff", "--listen=127.0.0.1:{port}"], env) as staff_1,
            running([*serve, "staff", "--listen=127.0.0.1:{port}"], env) as staff_2,
            running(
                [*serve, "public", "--listen=127.0.0.1:{port}"], public_env(instance, **public_settings)
            ) as public_1,
            running(
                [*serve, "public", "--listen=127.0.0.1:{port}"], public_env(instance, **public_settings)
            ) as public_2,
        ):
            site = site_file(
                folder,
                {
                    "PUBLIC_HOST": "127.0.0.1",
                    "STAFF_HOST": "127.0.0.1",
                    "PUBLIC_LISTEN": f"127.0.0.1:{public_port}",
                    "STAFF_LISTEN": f"127.0.0.1:{staff_port}",
                    "PUBLIC_SERVERS": " ".join(f"server {urlsplit(u).netloc};" for u in (public_1, public_2)),
                    "STAFF_SERVERS": " ".join(f"server {urlsplit(u).netloc};" for u in (staff_1, staff_2)),
                    "CERTIFICATE": str(tls_files.certificate),
                    "CERTIFICATE_KEY": str(tls_files.private_key),
                    "STAFF_NETWORKS": "allow 127.0.0.1/32;",
                    "ERROR_PAGES": str(DEPLOY / "nginx" / "errors"),
                    "NGINX_DIR": str(DEPLOY / "nginx"),
                },
            )
            nginx = start_nginx(folder, site)
            wait_for_port(public_port, nginx, "nginx")
            wait_for_port(staff_port, nginx, "nginx")
            yield Deployment(
                public=public_url,
                staff=staff_url,
                public_processes=[public_1, public_2],
                staff_processes=[staff_1, staff_2],
                tls=ssl.create_default_context(cafile=str(tls_files.certificate)),
                env=env,
                public_store=public_store,
            )
    finally:
        for process in (nginx, redis):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
            for schema in (role, f"{role}_public"):
                conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def through_proxy(deployment: Deployment, site: str, peer: str = "127.0.0.1") -> Browser:
    return Browser(getattr(deployment, site), peer, tls=deployment.tls)


def as_the_proxy(process: str) -> Browser:
    """Straight to one process, as nginx reaches it: from its address, saying https and the client."""
    return Browser(process, "127.0.0.1", for_="127.0.0.1", proto="https")


def proxy_headers() -> dict[str, str]:
    """The headers deploy/nginx/madoguchi-headers.conf adds to the proxy's own answers."""
    text = (DEPLOY / "nginx" / "madoguchi-headers.conf").read_text()
    return dict(re.findall(r'^add_header (\S+) "([^"]*)" always;', text, re.MULTILINE))


def test_the_proxys_own_answers_carry_the_headers_the_applications_send(deployment):
    assert proxy_headers() == {**COMMON, **PRIVATE, HSTS[0]: HSTS[1]}, "the two lists are the same"
    refusals = [
        # A body over the public site's cap never reaches a process.
        through_proxy(deployment, "public").request("POST", "/", body=b"x" * 100_000),
        # A client outside the staff networks is refused by the proxy, as an unknown URL.
        through_proxy(deployment, "staff", peer=STRANGER).request("GET", "/login"),
        # A form body over the staff site's cap outside the upload routes.
        through_proxy(deployment, "staff").request("POST", "/login", body=b"x" * 2_000_000),
    ]
    assert [response.status for response, _ in refusals] == [413, 404, 413]
    for response, page in refusals:
        for name, value in proxy_headers().items():
            assert response.getheader(name) == value, name
        assert "nginx" not in page and response.getheader("Server") == "nginx", "no version named"
    answered = through_proxy(deployment, "staff").request("GET", "/login")[0]
    assert answered.status == 200 and answered.getheader(HSTS[0]) == HSTS[1], "the app saw https"
    assert answered.getheader("X-Robots-Tag") == PRIVATE["X-Robots-Tag"]


def concrete(rule: str) -> str:
    """A URL of `rule` with its arguments filled."""
    for converter, value in (("int", "12"), ("date", "2026-06-01"), ("uuid", str(uuid.uuid4()))):
        rule = re.sub(rf"<{converter}:[^>]+>", value, rule)
    return rule


def test_the_upload_routes_the_proxy_lets_through_are_exactly_the_applications(staff_app):
    site = (DEPLOY / "nginx" / "madoguchi.conf").read_text()
    larger = re.findall(r"location ~ (\^\S+\$) \{\s*client_max_body_size (\d+)k;", site)
    assert len(larger) == 2 and all(int(cap) * 1024 == REQUEST_BODY_LIMIT for _, cap in larger)
    for rule in staff_app.url_map.iter_rules():
        takes_files = getattr(staff_app.view_functions[rule.endpoint], UPLOAD_ATTRIBUTE, False)
        matched = any(re.match(pattern, concrete(rule.rule)) for pattern, _ in larger)
        assert matched == takes_files, rule.rule


def signed_in_city(deployment: Deployment) -> Browser:
    """A new city account of its own (a code is good once), signed in through the proxy."""
    email = f"city-{secrets.token_hex(4)}@example.jp"
    made = portal_command(
        "user",
        "create",
        email,
        "--role",
        "city",
        "--org",
        "架空市 産業観光局",
        env=deployment.env,
        input=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    secret = parse_qs(urlsplit(made.stdout.strip().splitlines()[-1]).query)["secret"][0]
    city = through_proxy(deployment, "staff")
    _, page = city.request("GET", "/login")
    form = {"csrf_token": csrf_from(page), "email": email, "password": PASSWORD}
    assert city.request("POST", "/login", form)[0].status == 303
    _, page = city.request("GET", "/login/code")
    code = pyotp.TOTP(secret).now()
    response, _ = city.request("POST", "/login/code", {"csrf_token": csrf_from(page), "code": code})
    assert response.status == 303 and response.getheader("Location") == "/", "signed in"
    _, page = city.request("GET", "/pledge")
    accepted = city.request("POST", "/pledge", {"csrf_token": csrf_from(page), "agree": "y"})[0]
    assert accepted.status == 303, "the confidentiality pledge, before anything else"
    return city


def on_process(browser: Browser, process: str) -> Browser:
    """The same browser's cookies, straight to one process."""
    direct = as_the_proxy(process)
    direct.cookies = browser.cookies
    return direct


def test_a_session_signed_out_on_one_staff_process_is_refused_on_the_other(deployment):
    city = signed_in_city(deployment)
    first, second = (on_process(city, process) for process in deployment.staff_processes)
    assert second.request("GET", "/")[0].status == 200
    _, page = first.request("GET", "/")
    assert first.request("POST", "/logout", {"csrf_token": csrf_from(page)})[0].status in (302, 303)
    response, page = second.request("GET", "/")
    assert response.status == 404 and "/login" in page


def writable_folder(browser: Browser) -> tuple[str, str]:
    """A folder of the demo's library the browser's user may add documents to, and its page."""
    _, library = browser.request("GET", "/library/")
    for folder in re.findall(r'href="(/library/folders/\d+)"', library):
        _, page = browser.request("GET", folder)
        if 'name="file"' in page:
            return folder, page
    raise AssertionError("the city may write no folder of the demo's library")


def test_a_file_uploaded_through_one_staff_process_downloads_through_the_other(deployment):
    city = signed_in_city(deployment)
    first, second = (on_process(city, process) for process in deployment.staff_processes)
    folder, page = writable_folder(first)
    content = b"%PDF-1.4\n" + bytes(range(256)) * 4096 + b"\n%%EOF\n"
    body = multipart(content, "deploy.pdf", {"csrf_token": csrf_from(page), "title": "two processes"})
    response, _ = first.request("POST", f"{folder}/documents", body=body, headers={"Content-Type": MULTIPART})
    assert response.status == 303
    _, document = second.request("GET", urlsplit(response.getheader("Location")).path)
    download = re.search(r'href="(/library/versions/\d+/download)"', document).group(1)
    response, served = second.request_bytes("GET", download)
    assert response.status == 200 and served == content


def send_chunk(browser: Browser, token: str, url: str, offset: int, piece: bytes) -> tuple:
    """One chunk of a file, as the portal's script sends it."""
    headers = {
        "X-CSRFToken": token,
        "Upload-Offset": str(offset),
        "Content-Type": "application/offset+octet-stream",
        "Referer": browser.referer,
    }
    return browser.request("PATCH", url, body=piece, headers=headers)


def test_a_file_sent_in_chunks_through_the_proxy_and_both_processes_arrives_whole(deployment):
    city = signed_in_city(deployment)
    first, second = (on_process(city, process) for process in deployment.staff_processes)
    folder, page = writable_folder(city)
    token = csrf_from(page)
    content = b"%PDF-1.4\n" + os.urandom(2 * UPLOAD_CHUNK + 1000)
    fields = {"target": f"{folder}/documents", "size": len(content), "name": "分割.pdf"}
    response, started = city.request("POST", "/uploads/", fields, headers={"X-CSRFToken": token})
    assert response.status == 201, started
    started = json.loads(started)
    over, _ = send_chunk(city, token, started["url"], 0, os.urandom(REQUEST_BODY_LIMIT + 1))
    assert over.status == 413, "the proxy lets no more than a chunk through"
    senders = (city, second, city)  # the proxy sends them to one process; the second takes one too
    for sender, offset in zip(senders, range(0, len(content), UPLOAD_CHUNK), strict=True):
        response, answer = send_chunk(
            sender, token, started["url"], offset, content[offset : offset + UPLOAD_CHUNK]
        )
        assert response.status == 200, answer
    form = {"csrf_token": token, "title": "分割して送った資料", "file": started["upload"]}
    response, _ = first.request("POST", f"{folder}/documents", form)
    assert response.status == 303
    _, document = second.request("GET", urlsplit(response.getheader("Location")).path)
    download = re.search(r'href="(/library/versions/\d+/download)"', document).group(1)
    response, served = city.request_bytes("GET", download)
    assert response.status == 200 and served == content


def open_session(deployment: Deployment) -> tuple[str, int]:
    """A session of the demo's season with at least three places left, and how many it has."""
    visitor = as_the_proxy(deployment.public_processes[0])
    this_month = date.today().replace(day=1)
    for ahead in range(6):
        month = (this_month + timedelta(days=32 * ahead)).replace(day=1)
        _, calendar = visitor.request("GET", f"/calendar?month={month:%Y-%m}")
        for path in re.findall(r'href="(/sessions/\d+)"', calendar):
            left = places_left(visitor, path)
            if left >= 3:
                return path, left
    raise AssertionError("the demo season has no session with three places left")


def booking_form(page: str, n: int) -> dict:
    return {
        "csrf_token": csrf_from(page),
        "idempotency_key": re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', page).group(1),
        "business_name": f"架空商店{n}",
        "contact_name": "山田 花子",
        "phone": "090-0000-0000",
        "email": "",
        "programmes": ["yachin"],
        "consent": "y",
    }


def places_left(browser: Browser, path: str) -> int:
    _, page = browser.request("GET", path)
    found = re.search(r"残り(\d+)席", page)
    return int(found.group(1)) if found else 0


def test_the_public_processes_share_the_rate_limit_the_calendar_and_the_capacity(deployment):
    path, left = open_session(deployment)
    first, second = (as_the_proxy(process) for process in deployment.public_processes)
    # One client's attempts count on both processes (Redis), whichever answers.
    statuses = []
    for n in range(5):
        visitor = Browser(
            deployment.public_processes[n % 2], "127.0.0.1", for_="198.51.100.77", proto="https"
        )
        _, page = visitor.request("GET", path)
        statuses.append(visitor.request("POST", path, {"csrf_token": csrf_from(page)})[0].status)
    assert statuses == [200, 200, 200, 200, 429]

    # A booking through one process shows on the other's calendar at its next request.
    assert places_left(second, path) == left
    _, page = first.request("GET", path)
    assert first.request("POST", path, booking_form(page, 0))[0].status == 303
    assert places_left(second, path) == left - 1

    # 50 visitors with the form open send it at once through the proxy, from 50 addresses: the
    # places left are taken, no more.
    outcomes: list[int] = []
    together = threading.Barrier(50, timeout=120)

    def book(n: int) -> None:
        visitor = through_proxy(deployment, "public", peer=f"127.0.1.{n + 1}")
        _, page = visitor.request("GET", path)
        together.wait()
        outcomes.append(visitor.request("POST", path, booking_form(page, n + 1))[0].status)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 50 and set(outcomes) <= {200, 303}, "booked, or told the session is full"
    assert outcomes.count(303) == left - 1
    assert places_left(first, path) == places_left(second, path) == 0
    session_id = int(path.rsplit("/", 1)[1])
    with psycopg.connect(deployment.public_store) as conn:
        held, capacity = conn.execute(
            "SELECT count(*) FILTER (WHERE b.status = ANY(%s)), s.capacity FROM booking b"
            " JOIN consultation_session s ON s.id = b.session_id WHERE s.id = %s GROUP BY s.capacity",
            ([str(status) for status in SEAT_HOLDING], session_id),
        ).fetchone()
    assert held == capacity, "every place taken, none twice"


def run_public_settings() -> set[str]:
    """The settings bin/run-public passes on to the public process (the one list of them)."""
    script = (Path(__file__).resolve().parent.parent / "bin" / "run-public").read_text()
    listed = re.search(r"for name in (.*?); do", script, re.DOTALL).group(1)
    return set(re.findall(r"PORTAL_\w+", script)) | set(re.findall(r"PORTAL_\w+", listed))


def test_the_public_units_environment_holds_only_the_public_zones_settings():
    given = set(re.findall(r"^(PORTAL_\w+)=", (DEPLOY / "environment" / "public.env").read_text(), re.M))
    assert given <= run_public_settings() | {"PORTAL_SECRET_KEY"}
    assert not given & {
        "PORTAL_DATABASE_URL",
        "PORTAL_KEY_DIR",
        "PORTAL_MINIO_SECRET_KEY",
        "PORTAL_SMTP_PASSWORD",
    }
    unit = (DEPLOY / "systemd" / "madoguchi-public@.service").read_text()
    assert (
        "EnvironmentFile=/etc/madoguchi/public.env\n" in unit
        and "staff.env" not in unit.split("InaccessiblePaths=")[0]
    )
    hidden = re.search(r"^InaccessiblePaths=(.*)$", unit, re.M).group(1).split()
    assert {"/etc/madoguchi/staff.env", "/etc/madoguchi/keys", "/var/lib/madoguchi-staff"} <= set(hidden)


def test_systemd_accepts_every_unit(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        service_missing("systemd-analyze", FileNotFoundError("systemd-analyze"))
    units = []
    for unit in (DEPLOY / "systemd").iterdir():
        name = unit.name.replace("@.", "@8100.")  # a template, as one of its instances
        (tmp_path / name).write_text(unit.read_text())
        units.append(str(tmp_path / name))
    checked = subprocess.run(
        [analyze, "verify", "--man=no", *units],
        capture_output=True,
        text=True,
        env={"SYSTEMD_LOG_LEVEL": "notice"},
    )
    complaints = [
        line
        for line in (checked.stdout + checked.stderr).splitlines()
        # The program they start is installed by the README's steps, not on this machine.
        if not re.search(r"Command /opt/madoguchi/\.venv/bin/portal is not executable", line)
    ]
    assert complaints == []
