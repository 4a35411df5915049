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
import subprocess
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from portal import REQUEST_BODY_LIMIT, UPLOAD_CHUNK
from portal.core.headers import COMMON, PRIVATE
from portal.core.models.reservations import SEAT_HOLDING
from portal.staff.upload_limit import UPLOAD_ATTRIBUTE
from tests.conftest import csrf_from, service_missing
from tests.deployment import (
    DEPLOY,
    NGINX,
    PUBLIC_HOST,
    REDIS,
    STAFF_HOST,
    Deployment,
    as_the_proxy,
    deployed,
    signed_in_city,
    through_proxy,
)
from tests.files import MULTIPART, multipart
from tests.http_browser import Browser

HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
STRANGER = "127.0.0.9"  # a loopback address outside the staff networks nginx is given


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, s3_server):
    for program, what in ((NGINX, "nginx"), (REDIS, "redis-server")):
        if not Path(program).exists():
            service_missing(what, FileNotFoundError(program))
    with deployed(tmp_path_factory.mktemp("deployment"), s3_server) as running:
        yield running


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
        if unit.is_dir():  # drop-ins for one of Debian's units, checked on a stand-in for it
            shutil.copytree(unit, tmp_path / unit.name)
            (tmp_path / unit.stem).write_text("[Service]\nExecStart=/bin/true\n")
            units.append(str(tmp_path / unit.stem))
            continue
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
        # The programs they start are installed by the README's steps, not on this machine.
        if not re.search(
            r"Command (/opt/madoguchi/\.venv/bin/portal|/usr/bin/certbot) is not executable", line
        )
    ]
    assert complaints == []


def session_month(deployment: Deployment, path: str) -> str:
    """The calendar month (YYYY-MM) a session of `path` is in."""
    with psycopg.connect(deployment.public_store) as conn:
        (day,) = conn.execute(
            "SELECT date FROM consultation_session WHERE id = %s", (int(path.rsplit("/", 1)[1]),)
        ).fetchone()
    return f"{day:%Y-%m}"


def places_on_calendar(browser: Browser, month: str, path: str) -> str:
    """What the calendar of `month` says of the session at `path`: its places left, or full."""
    _, page = browser.request("GET", f"/calendar?month={month}")
    return re.search(rf'class="(?:full )?places-left">([^<]+)</span><a [^>]*href="{path}"', page).group(1)


def at_the_next_second() -> float:
    """Wait for the clock's next whole second, a little past it; returns the time then."""
    time.sleep(1.01 - time.time() % 1)
    return time.time()


def test_a_change_of_places_shows_through_the_proxy_within_a_second(deployment):
    path, left = open_session(deployment)
    month = session_month(deployment, path)
    visitor = through_proxy(deployment, "public")
    booker = Browser(deployment.public_processes[-1], "127.0.0.1", for_="198.51.100.20", proto="https")
    _, form = booker.request("GET", path)
    at_the_next_second()
    assert places_on_calendar(visitor, month, path) == f"残り{left}席", "the proxy may keep this answer"
    assert booker.request("POST", path, booking_form(form, 100))[0].status == 303
    changed = time.time()  # committed before the answer: however long that took
    # Every request sent a second after the change, or later, is told of it.
    seen = []
    while (sent := time.time()) < changed + 1.3:
        seen.append((round(sent - changed, 2), places_on_calendar(visitor, month, path)))
        time.sleep(0.02)
    late = [(after, shown) for after, shown in seen if after >= 1.0]
    assert late and all(shown == f"残り{left - 1}席" for _, shown in late), seen


def kept_by_the_proxy(deployment: Deployment) -> list[tuple[str, bytes]]:
    """Each answer in the proxy's cache folder: the key it is kept under, and the answer as kept."""
    kept = []
    # An answer's file is named by its key's MD5; one being written has a suffix until it is whole.
    for entry in deployment.proxy_cache.rglob("*"):
        if not re.fullmatch(r"[0-9a-f]{32}", entry.name):
            continue
        try:
            raw = entry.read_bytes()
        except FileNotFoundError:  # forgotten meanwhile, ten seconds after it was last asked for
            continue
        key = re.search(rb"\nKEY: ([^\n]*)\n", raw)
        kept.append((key.group(1).decode(), raw[key.end() :]))
    return kept


def test_the_proxy_keeps_only_the_calendars_answers_to_anonymous_requests(deployment):
    path, _ = open_session(deployment)
    calendar = f"/calendar?month={session_month(deployment, path)}"
    anonymous = through_proxy(deployment, "public")
    english = through_proxy(deployment, "public")
    english.cookies["__Host-lang"] = "en"
    at_the_next_second()
    assert '<html lang="ja"' in anonymous.request("GET", calendar)[1]
    # A request with a cookie is answered by a process, and its answer is kept for nobody.
    assert '<html lang="en"' in english.request("GET", calendar)[1]
    assert '<html lang="ja"' in anonymous.request("GET", calendar)[1]
    # Looked at at once: the proxy forgets an answer nobody asked for in ten seconds.
    kept = kept_by_the_proxy(deployment)
    assert any(key.startswith(f"https://127.0.0.1{calendar}|") for key, _ in kept), "the calendar is kept"
    # Pages that set a cookie (a form's token) are never answered twice alike.
    for site, page in (("public", path), ("staff", "/login")):
        first, second = (through_proxy(deployment, site).request("GET", page) for _ in range(2))
        assert first[0].getheader("Set-Cookie") and first[0].getheader("Set-Cookie") != second[0].getheader(
            "Set-Cookie"
        )
        assert csrf_from(first[1]) != csrf_from(second[1])
    city = signed_in_city(deployment)
    for browser, page in (
        (anonymous, "/"),
        (anonymous, "/venues"),
        (anonymous, "/booking/complete"),
        (anonymous, "/manage/" + "x" * 22),
        (city, "/"),
        (city, "/bookings/daily"),
    ):
        for _ in range(2):
            browser.request("GET", page)

    for key, answer in kept + kept_by_the_proxy(deployment):
        assert key.startswith("https://127.0.0.1/calendar?"), key
        head, body = answer.split(b"\r\n\r\n", 1)
        assert b"set-cookie" not in head.lower() and b'<html lang="en"' not in body, key


@pytest.mark.parametrize("host", [PUBLIC_HOST, STAFF_HOST])
def test_plain_http_is_redirected_to_https_on_the_same_host_and_path(deployment, host):
    plain = Browser(deployment.plain_http, "127.0.0.1")
    for method, page in (("GET", "/calendar?month=2026-06"), ("GET", "/"), ("POST", "/login")):
        response, _ = plain.request(method, page, headers={"Host": host})
        assert response.status == 301 and response.getheader("Location") == f"https://{host}{page}"
        for name, value in proxy_headers().items():
            assert response.getheader(name) == value, name


def test_plain_http_serves_the_acme_challenges_from_their_folder_and_nothing_else(deployment):
    plain = Browser(deployment.plain_http, "127.0.0.1")
    challenges = deployment.challenges / ".well-known" / "acme-challenge"
    challenges.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    (challenges / token).write_text(f"{token}.key-thumbprint")
    (deployment.challenges / "beside.txt").write_text("not a challenge")
    for host in (PUBLIC_HOST, STAFF_HOST):
        response, body = plain.request("GET", f"/.well-known/acme-challenge/{token}", headers={"Host": host})
        assert response.status == 200 and body == f"{token}.key-thumbprint"
        for name, value in proxy_headers().items():
            assert response.getheader(name) == value, name
        missing, _ = plain.request("GET", "/.well-known/acme-challenge/unknown", headers={"Host": host})
        assert missing.status == 404
        for page in ("/beside.txt", "/.well-known/acme-challenge/../../beside.txt"):
            response, body = plain.request("GET", page, headers={"Host": host})
            assert response.status == 301 and "not a challenge" not in body, page
